import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { can, type Permission } from '@/lib/auth/policy';
import type { Role } from '@/lib/db/schema/users';
import { ACTIONS, HANDLERS, PAGES, type Guard } from '@/lib/web/routes';
import { launch, signIn } from './browser';
import { HttpSession, type ActionReply } from './support/http-session';

// Every entry point in lib/web/routes.ts × every demo role, over HTTP as a browser sends it:
// pages answer 200/403 (404 for what the role may not even see), route handlers likewise (401
// without a session), and server actions refuse a role the registry does not allow. The samples
// below must cover every registered entry point, so a new one cannot ship untested.
const baseUrl = inject('baseUrl');
const dataDir = inject('dataDir');
const ROOT = path.resolve(__dirname, '../..');

const ACCOUNTS = { privacy: 'privacy_officer', security: 'security_officer', approver1: 'approver', auditor: 'auditor', admin: 'admin' } as const satisfies Record<string, Role>;
type Who = keyof typeof ACCOUNTS;
const WHO = Object.keys(ACCOUNTS) as Who[];
const actor = (who: Who) => ({ type: 'user' as const, userId: who, email: who, name: who, role: ACCOUNTS[who], sessionId: who });
const may = (who: Who, permission: Permission | null) => permission === null || can(actor(who), permission);

const QUERY_ROLES: Record<string, Role[]> = {
  'patient-access-history': ['privacy_officer'],
  'failed-access': ['privacy_officer', 'security_officer', 'auditor'],
  'retention-due': ['privacy_officer', 'approver'],
  'storage-tier-distribution': ['privacy_officer', 'security_officer', 'auditor', 'admin'],
};
const runsQuery = (who: Who, queryId: string) => may(who, 'query.use') && QUERY_ROLES[queryId]!.includes(ACCOUNTS[who]);

/** A well-formed id that names nothing. */
const NO_SUCH = '00000000-0000-4000-8000-000000000000';

type Sample = { url: string; expect: (who: Who) => number };
type ActionSample = { page: string; args: () => unknown[]; expect: (who: Who) => 'allowed' | 'refused' | 'not_found' };

describe('authorization of every entry point for every role', () => {
  const sessions = new Map<Who, HttpSession>();
  let poRun = '';
  let poRunAgain = '';
  let soRun = '';
  let report = '';
  let poDownload = '';
  let poEvidence = '';
  let poEvidenceDownload = '';
  const window = () => {
    const truth = JSON.parse(fs.readFileSync(path.join(dataDir, 'lake', 'truth.json'), 'utf8')) as { window: { from: string; to: string }; patients: { kind: string; mrn: string }[] };
    return { ...truth.window, mrn: truth.patients.find((p) => p.kind === 'adult')!.mrn };
  };
  const session = async (who: Who) => {
    // sessions idle out after a minute in this suite's portal: sign in afresh for each use
    const s = await HttpSession.signIn(baseUrl, `${who}@demo.custos`);
    sessions.set(who, s);
    return s;
  };
  const form = (values: Record<string, string>) => {
    const data = new FormData();
    for (const [k, v] of Object.entries(values)) data.set(k, v);
    return data;
  };
  const finished = async (s: HttpSession, runId: string) => {
    for (let i = 0; i < 200; i++) {
      const body = (await (await s.get(`/api/runs/${runId}/status`)).json()) as { status: string };
      if (body.status !== 'running') return body.status;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`run ${runId} did not finish`);
  };
  const runIdOf = (reply: ActionReply) => reply.redirect!.split('/').pop()!;

  beforeAll(async () => {
    const { from, to, mrn } = window();
    const po = await session('privacy');
    poRun = runIdOf(await po.action(ROOT, '(portal)/audit/[queryId]/actions.ts#runQueryAction', '/audit/patient-access-history', ['patient-access-history', null, form({ patient: mrn, from, to })]));
    poRunAgain = runIdOf(await po.action(ROOT, '(portal)/audit/[queryId]/actions.ts#runQueryAction', '/audit/patient-access-history', ['patient-access-history', null, form({ patient: mrn, from, to })]));
    const so = await session('security');
    soRun = runIdOf(await so.action(ROOT, '(portal)/audit/[queryId]/actions.ts#runQueryAction', '/audit/failed-access', ['failed-access', null, form({ from, to })]));
    expect(await finished(po, poRun)).toBe('succeeded');
    expect(await finished(po, poRunAgain)).toBe('succeeded');
    expect(await finished(so, soRun)).toBe('succeeded');
    // after the runs above: a person has at most two running at once, and a patient view starts two more
    const opened = await po.action(ROOT, '(portal)/patients/actions.ts#openPatientAction', '/patients', [null, form({ patient: mrn, from, to })]);
    expect(String(opened.redirect), JSON.stringify(opened)).toMatch(/^\/patients\/report\?/);
    report = opened.redirect!;
    // a download the privacy officer was handed (never fetched): nobody else can use it
    const handed = await po.action(ROOT, '(portal)/audit/runs/[runId]/actions.ts#exportRunAction', '/audit/runs', [poRun, 'csv']);
    poDownload = String(handed.data ?? '').replace('/api/downloads/', '');
    // the privacy officer's signed report of their run, and its download, already fetched once: spent for everyone
    const made = await po.action(ROOT, '(portal)/evidence/actions.ts#makeReportAction', '/evidence', [null, form({ runId: poRun, kind: 'query-run' })]);
    poEvidence = (made.data as { evidenceId: string }).evidenceId;
    const evidenceUrl = String((await po.action(ROOT, '(portal)/evidence/actions.ts#downloadEvidenceAction', '/evidence', [poEvidence])).data);
    expect((await po.get(evidenceUrl)).status).toBe(200);
    poEvidenceDownload = evidenceUrl.replace('/evidence/download/', '');
  });

  const byPolicy = (permission: Permission | null) => (who: Who) => (may(who, permission) ? 200 : 403);
  const visibleRun = (owner: Who) => (who: Who) => (who === owner || may(who, 'runs.view_all') ? 200 : 404);

  const PAGE_SAMPLES: Record<keyof typeof PAGES, Sample[]> = {
    '/': [{ url: '/', expect: () => 200 }],
    '/sign-in': [{ url: '/sign-in', expect: () => 200 }],
    '/bad-request': [{ url: '/audit/runs?offset=-1', expect: () => 400 }],
    '/audit': [{ url: '/audit', expect: byPolicy('audit.view') }],
    '/audit/[queryId]': Object.keys(QUERY_ROLES).map((q) => ({ url: `/audit/${q}`, expect: (who: Who) => (runsQuery(who, q) ? 200 : 403) })),
    '/audit/runs': [{ url: '/audit/runs', expect: byPolicy('query.use') }],
    '/audit/runs/[runId]': [
      { url: '/audit/runs/{poRun}', expect: visibleRun('privacy') },
      { url: '/audit/runs/{soRun}', expect: visibleRun('security') },
    ],
    '/audit/runs/compare': [
      {
        url: '/audit/runs/compare?before={poRun}&after={poRunAgain}',
        expect: (who) => (visibleRun('privacy')(who) === 404 ? 404 : runsQuery(who, 'patient-access-history') ? 200 : 403),
      },
    ],
    '/patients': [{ url: '/patients', expect: byPolicy('patient.read_phi') }],
    '/patients/report': [{ url: '{report}', expect: byPolicy('patient.read_phi') }],
    '/posture': [{ url: '/posture', expect: byPolicy('posture.view') }],
    '/posture/runs/[runId]': [{ url: `/posture/runs/${NO_SUCH}`, expect: (who) => (may(who, 'posture.view') ? 404 : 403) }],
    '/retention': [{ url: '/retention', expect: byPolicy('retention.view') }],
    '/retention/requests/[requestId]': [{ url: `/retention/requests/${NO_SUCH}`, expect: (who) => (may(who, 'retention.view') ? 404 : 403) }],
    '/retention/rules': [{ url: '/retention/rules', expect: byPolicy('retention.view') }],
    '/evidence': [{ url: '/evidence', expect: byPolicy('evidence.view') }],
    '/admin': [{ url: '/admin', expect: byPolicy('journal.view') }],
  };

  const HANDLER_SAMPLES: Record<keyof typeof HANDLERS, (Sample & { anonymous: number })[]> = {
    'GET /api/health': [{ url: '/api/health', anonymous: 200, expect: () => 200 }],
    'GET /api/auth/[...nextauth]': [{ url: '/api/auth/session', anonymous: 200, expect: () => 200 }],
    // signing in above went through it; here, a sign-in with a wrong password is answered, not refused
    'POST /api/auth/[...nextauth]': [],
    'GET /api/runs/[runId]/status': [{ url: '/api/runs/{poRun}/status', anonymous: 401, expect: visibleRun('privacy') }],
    // downloads are handed out by the export action (below), to one person, once: the privacy officer who asked gets it, anyone else's is not found
    'GET /api/downloads/[token]': [{ url: '/api/downloads/{poDownload}', anonymous: 401, expect: (who) => (who === 'privacy' ? 200 : 404) }],
    // a POST of a file: test/e2e/evidence.e2e.test.ts uploads to it as each role
    'POST /evidence/verify': [],
    // handed out by the download action (below), to one person, once: spent, it is not found for anyone
    'GET /evidence/download/[token]': [{ url: '/evidence/download/{poEvidenceDownload}', anonymous: 401, expect: () => 404 }],
  };

  const denied = (permission: Permission) => (who: Who) => (may(who, permission) ? 'allowed' : 'refused');
  const ownRun = (queryId: string, owner: Who) => (who: Who) =>
    who !== owner && !may(who, 'runs.view_all') ? 'not_found' : runsQuery(who, queryId) ? 'allowed' : 'refused';
  const ACTION_SAMPLES: Record<keyof typeof ACTIONS, ActionSample> = {
    '(portal)/audit/[queryId]/actions.ts#runQueryAction': {
      page: '/audit/failed-access',
      args: () => ['failed-access', null, form(window())],
      expect: (who) => (runsQuery(who, 'failed-access') ? 'allowed' : 'refused'),
    },
    '(portal)/audit/[queryId]/actions.ts#estimateQueryAction': {
      page: '/audit/retention-due',
      args: () => ['retention-due', {}],
      expect: (who) => (runsQuery(who, 'retention-due') ? 'allowed' : 'refused'),
    },
    '(portal)/audit/runs/[runId]/actions.ts#rerunAction': { page: '/audit/runs', args: () => [poRun, null, form({})], expect: ownRun('patient-access-history', 'privacy') },
    // only the owner may cancel; the run has ended, so the owner is told that instead
    '(portal)/audit/runs/[runId]/actions.ts#exportRunAction': { page: '/audit/runs', args: () => [poRun, 'csv'], expect: ownRun('patient-access-history', 'privacy') },
    '(portal)/audit/runs/[runId]/actions.ts#cancelRunAction': {
      page: '/audit/runs',
      args: () => [poRun],
      expect: (who) => (who === 'privacy' ? 'allowed' : may(who, 'runs.view_all') ? 'refused' : 'not_found'),
    },
    '(portal)/patients/actions.ts#openPatientAction': {
      page: '/patients',
      args: () => [null, form({ patient: window().mrn, from: window().from, to: window().to })],
      expect: denied('patient.read_phi'),
    },
    '(portal)/admin/actions.ts#verifyJournalAction': { page: '/admin', args: () => [null, form({})], expect: denied('journal.view') },
    '(portal)/admin/actions.ts#compactLakeAction': { page: '/admin', args: () => [null, form({})], expect: denied('admin.view') },
    '(portal)/evidence/actions.ts#makeReportAction': { page: '/evidence', args: () => [null, form({ runId: soRun, kind: 'query-run' })], expect: ownRun('failed-access', 'security') },
    // no refresh of this window has finished: past authorization, the summary is refused for that reason
    '(portal)/evidence/actions.ts#makePostureReportAction': { page: '/evidence', args: () => [null, form({ from: '2020-01-01', to: '2020-01-02' })], expect: denied('posture.view') },
    // a window that fails validation, past authorization: nothing is queued
    '(portal)/posture/actions.ts#refreshPostureAction': { page: '/posture', args: () => [{ from: 'yesterday', to: 'today' }, null, form({})], expect: denied('posture.view') },
    '(portal)/posture/actions.ts#refreshStatusAction': { page: '/posture', args: () => [NO_SUCH], expect: (who) => (may(who, 'posture.view') ? 'not_found' : 'refused') },
    '(portal)/posture/actions.ts#exportPostureRunAction': { page: '/posture', args: () => [NO_SUCH, 'csv'], expect: (who) => (may(who, 'posture.view') ? 'not_found' : 'refused') },
    // retention: each with input that fails validation (or names nothing) once the role is allowed, so nothing changes
    '(portal)/retention/actions.ts#createDeletionRequestAction': { page: '/retention', args: () => [null, form({ reason: 'x' })], expect: denied('retention.request') },
    '(portal)/retention/actions.ts#placeLegalHoldAction': { page: '/retention', args: () => [null, form({ study: 'x' })], expect: denied('retention.hold') },
    '(portal)/retention/actions.ts#liftLegalHoldAction': { page: '/retention', args: () => [NO_SUCH, null, form({ reason: 'x' })], expect: denied('retention.hold') },
    '(portal)/retention/requests/[requestId]/actions.ts#approveDeletionAction': { page: '/retention', args: () => [NO_SUCH, null, form({ manifestSha256: 'x' })], expect: denied('retention.approve') },
    '(portal)/retention/requests/[requestId]/actions.ts#rejectDeletionAction': { page: '/retention', args: () => [NO_SUCH, null, form({ comment: '' })], expect: denied('retention.approve') },
    '(portal)/retention/requests/[requestId]/actions.ts#withdrawDeletionAction': { page: '/retention', args: () => [NO_SUCH, null, form({ reason: '' })], expect: denied('retention.request') },
    '(portal)/retention/requests/[requestId]/actions.ts#resumeDeletionAction': { page: '/retention', args: () => ['not-a-uuid', null, form({})], expect: denied('retention.request') },
    '(portal)/retention/rules/actions.ts#saveRuleSetAction': { page: '/retention/rules', args: () => [null, form({ definition: '' })], expect: denied('retention.rules') },
    // the report of the privacy officer's patient-access-history run: seen with runs.view_all, downloaded only by roles that may run that query
    '(portal)/evidence/actions.ts#downloadEvidenceAction': { page: '/evidence', args: () => [poEvidence], expect: ownRun('patient-access-history', 'privacy') },
  };

  const fill = (url: string) => url.replace('{poRun}', poRun).replace('{poRunAgain}', poRunAgain).replace('{soRun}', soRun).replace('{report}', report).replace('{poDownload}', poDownload).replace('{poEvidenceDownload}', poEvidenceDownload);
  const outcome = (reply: ActionReply): 'allowed' | 'refused' | 'not_found' => {
    if (reply.ok) return 'allowed';
    if (/does not allow|may not run|Only the person who started/.test(reply.message ?? '')) return 'refused';
    if (/was not found/.test(reply.message ?? '')) return 'not_found';
    return 'allowed'; // past authorization, refused for another reason (the run already ended)
  };

  it('has a sample for every registered page, route handler and server action', () => {
    expect(Object.keys(PAGE_SAMPLES).sort()).toEqual(Object.keys(PAGES).sort());
    expect(Object.keys(HANDLER_SAMPLES).sort()).toEqual(Object.keys(HANDLERS).sort());
    expect(Object.keys(ACTION_SAMPLES).sort()).toEqual(Object.keys(ACTIONS).sort());
    for (const [route, guard] of Object.entries(PAGES) as [keyof typeof PAGES, Guard][]) {
      if (!guard.public) expect(PAGE_SAMPLES[route].length, route).toBeGreaterThan(0);
    }
  });

  it.each(WHO)('pages: %s gets 200, 403 or 404 exactly as the registry and the policy say', async (who) => {
    const s = await session(who);
    const got: Record<string, number> = {};
    const want: Record<string, number> = {};
    for (const samples of Object.values(PAGE_SAMPLES)) {
      for (const sample of samples) {
        const url = fill(sample.url);
        got[url] = (await s.get(url)).status;
        want[url] = sample.expect(who);
      }
    }
    expect(got).toEqual(want);
  });

  it.each(WHO)('route handlers: %s gets what the registry says; nobody gets in without a session', async (who) => {
    const s = await session(who);
    const anonymous = HttpSession.anonymous(baseUrl);
    const got: Record<string, number> = {};
    const want: Record<string, number> = {};
    for (const samples of Object.values(HANDLER_SAMPLES)) {
      for (const sample of samples) {
        const url = fill(sample.url);
        got[url] = (await s.get(url)).status;
        want[url] = sample.expect(who);
        got[`anonymous ${url}`] = (await anonymous.get(url)).status;
        want[`anonymous ${url}`] = sample.anonymous;
      }
    }
    expect(got).toEqual(want);
  });

  it.each(WHO)('server actions: %s is refused every action the registry does not allow', async (who) => {
    const s = await session(who);
    const got: Record<string, string> = {};
    const want: Record<string, string> = {};
    for (const [key, sample] of Object.entries(ACTION_SAMPLES)) {
      got[key] = outcome(await s.action(ROOT, key, sample.page, sample.args()));
      want[key] = sample.expect(who);
    }
    expect(got).toEqual(want);
  });

  it('refuses a server action without a session, and the export of another person\'s real run', async () => {
    const anonymous = HttpSession.anonymous(baseUrl);
    const reply = await anonymous.action(ROOT, '(portal)/admin/actions.ts#verifyJournalAction', '/admin', [null, form({})]);
    expect(reply.ok).toBe(false);
    expect(reply.message).toMatch(/Sign in to continue/);
    const approver = await session('approver1');
    const refused = await approver.action(ROOT, '(portal)/audit/runs/[runId]/actions.ts#exportRunAction', '/audit/runs', [poRun, 'csv']);
    expect(refused).toMatchObject({ ok: false, message: 'The run was not found.' });
  });

  it('delivers an export once, to the person who asked, and nothing to a prefetch', async () => {
    const po = await session('privacy');
    const handed = await po.action(ROOT, '(portal)/audit/runs/[runId]/actions.ts#exportRunAction', '/audit/runs', [poRun, 'csv']);
    const url = String(handed.data);
    expect(url).toMatch(/^\/api\/downloads\/[A-Za-z0-9_-]{43}$/);
    const prefetch = await fetch(`${baseUrl}${url}`, { headers: { cookie: po.cookieHeader(), 'next-router-prefetch': '1' } });
    expect(prefetch.status).toBe(204);
    const first = await po.get(url);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-disposition')).toMatch(/attachment; filename="patient-access-history-.*\.csv"/);
    expect((await first.text()).split('\r\n')[0]).toMatch(/^event_time,/);
    expect((await po.get(url)).status).toBe(404);
  });

  describe('navigation', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launch();
    });
    afterAll(async () => browser?.close());

    it.each(WHO)('%s sees exactly the sections the policy allows', async (who) => {
      const context = await browser.newContext();
      const page = await context.newPage();
      await signIn(page, baseUrl, `${who}@demo.custos`);
      const main = page.getByRole('navigation', { name: 'Main' });
      await main.waitFor();
      const nav = await main.getByRole('link').allInnerTexts();
      const sections: [string, string][] = [['/audit', 'Audit'], ['/patients', 'Patients'], ['/posture', 'Posture'], ['/retention', 'Retention'], ['/evidence', 'Evidence'], ['/admin', 'Admin']];
      expect(nav).toEqual(sections.filter(([route]) => may(who, PAGES[route as keyof typeof PAGES].permission)).map(([, label]) => label));
      await context.close();
    });
  });
});
