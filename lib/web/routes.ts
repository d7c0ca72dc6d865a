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
  '/bad-request': { permission: null, public: true, note: 'proxy.ts shows it, status 400, in place of a page whose query string cannot be used' },
  '/audit': { permission: 'audit.view' },
  '/audit/[queryId]': { permission: 'query.use', queryRoles: true },
  '/audit/runs': { permission: 'query.use', note: 'everyone’s runs with runs.view_all, otherwise one’s own' },
  '/audit/runs/[runId]': { permission: 'query.use', note: 'one’s own run, or any with runs.view_all; 404 otherwise' },
  '/audit/runs/compare': { permission: 'query.use', queryRoles: true },
  '/patients': { permission: 'patient.read_phi' },
  '/patients/report': { permission: 'patient.read_phi', queryRoles: true },
  '/posture': { permission: 'posture.view' },
  '/posture/runs/[runId]': { permission: 'posture.view', note: 'a run a dashboard refresh recorded; its rows only when the role may run the query (reading them is journaled)' },
  '/retention': { permission: 'retention.view' },
  '/retention/requests/[requestId]': { permission: 'retention.view', note: 'the manifest’s study list with retention.read_identifiers, its totals otherwise; opening it is journaled' },
  '/retention/rules': { permission: 'retention.view', note: 'saving a new version with retention.rules' },
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
  'POST /evidence/verify': { permission: 'evidence.view', note: 'an uploaded PDF checked against its signature and the registry (journaled); same-origin only' },
  'GET /evidence/download/[token]': { permission: 'evidence.view', note: 'a registered PDF a download request handed out: once, within a minute, to the person who asked, who still holds the subject’s permission; 404 otherwise; prefetches get nothing' },
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
  '(portal)/evidence/actions.ts#makeReportAction': { permission: 'query.use', queryRoles: true, note: 'a run the person may read; the patient access report needs patient.read_phi; journaled' },
  '(portal)/evidence/actions.ts#makePostureReportAction': { permission: 'posture.view', note: 'from the window’s latest finished refresh; journaled' },
  '(portal)/posture/actions.ts#refreshPostureAction': { permission: 'posture.view', note: 'queues a refresh of the window shown (one at a time per window); journaled' },
  '(portal)/posture/actions.ts#refreshStatusAction': { permission: 'posture.view', note: 'polling a refresh does not keep a session alive' },
  '(portal)/posture/actions.ts#exportPostureRunAction': { permission: 'posture.view', queryRoles: true, note: 'a panel’s run as a file; journaled' },
  '(portal)/evidence/actions.ts#downloadEvidenceAction': { permission: 'evidence.view', note: 'evidence the person may see, with the subject’s own permission; journaled' },
  '(portal)/retention/actions.ts#createDeletionRequestAction': { permission: 'retention.request', note: 'candidates past retention and not held; freezes the manifest; journaled' },
  '(portal)/retention/actions.ts#placeLegalHoldAction': { permission: 'retention.hold', note: 'with a reason; journaled' },
  '(portal)/retention/actions.ts#liftLegalHoldAction': { permission: 'retention.hold', note: 'with a reason; journaled' },
  '(portal)/retention/requests/[requestId]/actions.ts#approveDeletionAction': { permission: 'retention.approve', note: 'not the requester, once per person, after re-authenticating, bound to the manifest hash; journaled' },
  '(portal)/retention/requests/[requestId]/actions.ts#rejectDeletionAction': { permission: 'retention.approve', note: 'not the requester; with a reason; journaled' },
  '(portal)/retention/requests/[requestId]/actions.ts#withdrawDeletionAction': { permission: 'retention.request', note: 'the requester only, before execution; journaled' },
  '(portal)/retention/requests/[requestId]/actions.ts#resumeDeletionAction': { permission: 'retention.request', note: 'a stopped execution only; journaled' },
  '(portal)/retention/rules/actions.ts#saveRuleSetAction': { permission: 'retention.rules', note: 'a new version; journaled' },
} as const satisfies Record<string, Guard>;
