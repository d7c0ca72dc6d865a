import type { Actor } from '@/lib/actor';
import type { Role } from '@/lib/db/schema/users';
import { can, type Permission } from './policy';

const SECTIONS: { href: string; label: string; permission: Permission }[] = [
  { href: '/audit', label: 'Audit', permission: 'audit.view' },
  { href: '/patients', label: 'Patients', permission: 'patient.read_phi' },
  { href: '/posture', label: 'Posture', permission: 'posture.view' },
  { href: '/retention', label: 'Retention', permission: 'retention.view' },
  { href: '/evidence', label: 'Evidence', permission: 'evidence.view' },
  { href: '/admin', label: 'Admin', permission: 'journal.view' },
];

/** The sections a role sees in the navigation (each page checks its permission again). */
export function navigationFor(actor: Actor): { href: string; label: string }[] {
  return SECTIONS.filter((s) => can(actor, s.permission)).map(({ href, label }) => ({ href, label }));
}

// Where each role starts: the section that answers its first question.
const HOMES: Record<Role, string> = {
  privacy_officer: '/patients',
  security_officer: '/posture',
  approver: '/retention',
  auditor: '/audit',
  admin: '/admin',
};

/** The actor's home section (the first one their role may open if the usual one is not). */
export function homeFor(actor: Actor): { href: string; label: string } {
  const sections = navigationFor(actor);
  const preferred = actor.type === 'user' ? sections.find((s) => s.href === HOMES[actor.role]) : undefined;
  return preferred ?? sections[0] ?? { href: '/evidence', label: 'Evidence' };
}

/** Where "back" goes from a saved query's page: the query library for those who have it, otherwise home. */
export function queryBackLink(actor: Actor): { href: string; label: string } {
  return can(actor, 'audit.view') ? { href: '/audit', label: 'Audit' } : homeFor(actor);
}
