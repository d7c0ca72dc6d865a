// Every entry point of the portal, with the permission that guards it: pages, route handlers and
// server actions. Pages look their permission up here (requirePage), and the authorization tests
// enumerate app/ from the file system against this table, so an entry point cannot ship unlisted.
import type { Permission } from '@/lib/auth/policy';

export type Guard = {
  /** null: any signed-in person (or anyone, when `public`). */
  permission: Permission | null;
  /** No session needed. */
  public?: true;
  /** The saved query's own roles apply as well (each query names them). */
  queryRoles?: true;
  /** What else decides access, beyond the permission. */
  note?: string;
};

export const PAGES = {
  '/': { permission: null, note: 'sends a signed-in person to the first section their role may open' },
  '/sign-in': { permission: null, public: true },
  '/audit': { permission: 'audit.view' },
  '/audit/[queryId]': { permission: 'query.use', queryRoles: true },
  '/audit/runs': { permission: 'query.use', note: 'everyone’s runs with runs.view_all, otherwise one’s own' },
  '/audit/runs/[runId]': { permission: 'query.use', note: 'one’s own run, or any with runs.view_all; 404 otherwise' },
  '/audit/runs/compare': { permission: 'query.use', queryRoles: true },
  '/patients': { permission: 'patient.read_phi' },
  '/patients/report': { permission: 'patient.read_phi', queryRoles: true },
  '/posture': { permission: 'posture.view' },
  '/retention': { permission: 'retention.view' },
  '/evidence': { permission: 'evidence.view' },
  '/admin': { permission: 'journal.view' },
} as const satisfies Record<string, Guard>;

export type PageRoute = keyof typeof PAGES;

/** Route handlers by `METHOD path`. */
export const HANDLERS = {
  'GET /api/health': { permission: null, public: true, note: 'liveness only: no PHI, no configuration values' },
  'GET /api/auth/[...nextauth]': { permission: null, public: true, note: 'next-auth: sign-in, sign-out, session' },
  'POST /api/auth/[...nextauth]': { permission: null, public: true, note: 'next-auth: sign-in, sign-out, session' },
  'GET /api/runs/[runId]/status': { permission: 'query.use', note: 'a run the person may see; 404 otherwise' },
  'GET /api/downloads/[token]': { permission: 'query.use', note: 'a file an export request handed out: once, within a minute, to the person who asked; 404 otherwise; prefetches get nothing' },
} as const satisfies Record<string, Guard>;

/** Server actions by `file#export` (file relative to app/). Each calls one verb, which authorizes. */
export const ACTIONS = {
  '(portal)/audit/[queryId]/actions.ts#runQueryAction': { permission: 'query.use', queryRoles: true },
  '(portal)/audit/[queryId]/actions.ts#estimateQueryAction': { permission: 'query.use', queryRoles: true },
  '(portal)/audit/runs/[runId]/actions.ts#rerunAction': { permission: 'query.use', queryRoles: true },
  '(portal)/audit/runs/[runId]/actions.ts#cancelRunAction': { permission: 'query.use', note: 'the run’s owner only' },
  '(portal)/audit/runs/[runId]/actions.ts#exportRunAction': { permission: 'query.use', queryRoles: true, note: 'a run the person may see; journaled' },
  '(portal)/patients/actions.ts#openPatientAction': { permission: 'patient.read_phi' },
  '(portal)/admin/actions.ts#verifyJournalAction': { permission: 'journal.view' },
  '(portal)/admin/actions.ts#compactLakeAction': { permission: 'admin.view' },
} as const satisfies Record<string, Guard>;
