// Who may do what: permissions as data, one table for every page, route, action and CLI command.
import type { Role } from '@/lib/db/schema/users';
import type { Actor } from '@/lib/actor';

export const ROLE_LABELS: Record<Role, string> = {
  privacy_officer: 'Privacy officer',
  security_officer: 'Security officer',
  approver: 'Approver',
  auditor: 'Auditor',
  admin: 'Administrator',
};

export const PERMISSIONS = {
  /** The Audit section: the saved-query library. */
  'audit.view': ['privacy_officer', 'security_officer', 'auditor'],
  /** Running saved queries (each query names its own roles) and reading one's own runs. */
  'query.use': ['privacy_officer', 'security_officer', 'approver', 'auditor', 'admin'],
  /** Every person's runs (the ledger), parameters masked. */
  'runs.view_all': ['privacy_officer', 'auditor'],
  /** Patient identifiers and patient-level reports. */
  'patient.read_phi': ['privacy_officer'],
  'posture.view': ['security_officer', 'privacy_officer', 'auditor'],
  'retention.view': ['approver', 'privacy_officer', 'auditor', 'admin'],
  /** Study identifiers inside deletion requests and retention explanations (never patient identifiers). */
  'retention.read_identifiers': ['privacy_officer', 'approver'],
  /** Candidates past retention; filing, withdrawing and resuming deletion requests. */
  'retention.request': ['privacy_officer'],
  /** Placing and lifting legal holds. */
  'retention.hold': ['privacy_officer'],
  /** Approving or rejecting another person's deletion request (with step-up re-authentication). */
  'retention.approve': ['approver'],
  /** Retention rule sets: new versions, which one is in force. */
  'retention.rules': ['admin'],
  /** Deleting what two approvals released: the executor job only. */
  'retention.execute': [],
  'evidence.view': ['privacy_officer', 'security_officer', 'approver', 'auditor', 'admin'],
  'journal.view': ['admin', 'auditor'],
  'admin.view': ['admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

/**
 * The command line acts for an operator who already holds the data directory; it may run saved
 * queries and verify the journal, and every such act is journaled under the OS user.
 */
const CLI_PERMISSIONS: ReadonlySet<Permission> = new Set(['audit.view', 'query.use', 'runs.view_all', 'patient.read_phi', 'journal.view', 'admin.view', 'retention.view', 'retention.read_identifiers', 'evidence.view', 'posture.view']);

/**
 * The portal's own jobs act as `system`, each with exactly the permissions listed here; a job not
 * listed may do nothing. Sign-in establishes who acts, so it needs none.
 */
export const SYSTEM_PERMISSIONS: Record<string, readonly Permission[]> = {
  'sign-in': [],
  /** Executes deletion requests two approvers released, and signs their certificates. */
  'retention-executor': ['retention.view', 'retention.read_identifiers', 'retention.execute'],
  /** Runs the posture dashboards' saved queries (aggregates) on a schedule or when someone asks; the figures are shown only to roles each query names. */
  'posture-refresh': ['query.use', 'posture.view'],
};

export function can(actor: Actor | null, permission: Permission): boolean {
  if (!actor) return false;
  if (actor.type === 'system') return SYSTEM_PERMISSIONS[actor.job]?.includes(permission) ?? false;
  if (actor.type === 'cli') return CLI_PERMISSIONS.has(permission);
  return (PERMISSIONS[permission] as readonly Role[]).includes(actor.role);
}

/** Saved queries name their roles; the command line may run any of them, a system job only with query.use. */
export function canRunQuery(actor: Actor | null, roles: readonly Role[]): boolean {
  if (!actor) return false;
  if (actor.type === 'cli') return true;
  if (actor.type === 'system') return can(actor, 'query.use');
  return roles.includes(actor.role);
}
