import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { journal, queryRuns } from '@/lib/db/schema';
import { DomainError, ValidationError } from '@/lib/errors';
import { canonicalize } from '@/lib/canonical';
import { compactLake } from '@/lib/lake/compact';
import { generateLake } from '@/lib/lake/generate';
import type { Truth } from '@/lib/lake/generate/truth';
import { DEFAULT_LAYOUT } from '@/lib/lake/layout';
import { exportRun } from '@/lib/queries/export-run';
import { compareRuns } from '@/lib/queries/compare-runs';
import { listComparableRuns } from '@/lib/queries/list-comparable-runs';
import { compactLakeNow } from '@/lib/admin/compact-lake-now';
import { runSavedQuery } from '@/lib/queries/run-saved-query';
import { signedIn } from '../support/actors';
import { testServices, type TestServices } from '../support/services';
import { resetEnvCache } from '@/lib/config/env';
import { getRunResults } from '@/lib/queries/get-run-results';
import { getRun } from '@/lib/queries/get-run';
import { listRuns } from '@/lib/queries/list-runs';
import { cancelRun } from '@/lib/queries/cancel-run';
import { rerunQuery } from '@/lib/queries/rerun-query';
import { ledgerParams } from '@/lib/queries/sealed-params';
import { fixtureQueriesEnv } from '../support/extra-queries';

async function text(body: AsyncIterable<string>): Promise<string> {
  let out = '';
  for await (const chunk of body) out += chunk;
  return out;
}

describe(`saved-query runs and their ledger (${process.env.CUSTOS_TEST_DB})`, () => {
  let services: TestServices;
  let truth: Truth;
  let lakeDir: string;
  beforeAll(async () => {
    lakeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-ledger-lake-'));
    await generateLake({ outDir: lakeDir, layout: DEFAULT_LAYOUT, days: 7, eventsPerDay: 500, seed: 5, end: '2026-10-31' });
    await compactLake({ dir: lakeDir, layout: DEFAULT_LAYOUT }, {});
    truth = JSON.parse(fs.readFileSync(path.join(lakeDir, 'truth.json'), 'utf8')) as Truth;
    services = await testServices({ lakeDir });
  });
  afterAll(async () => {
    await services?.dispose();
    fs.rmSync(lakeDir, { recursive: true, force: true });
  });

  const journalFor = async (subject: string) =>
    services.database.db.select().from(journal).where(eq(journal.subject, subject)).orderBy(journal.seq);
  const runCount = async () => (await services.database.db.select().from(queryRuns)).length;
  const patient = () => truth.patients.find((p) => p.kind === 'adult')!;

  it('records who ran what with which parameters, the SQL hash and the result hash', async () => {
    const ctx = await signedIn(services, 'privacy_officer');
    const p = patient();
    const run = await runSavedQuery(ctx, { queryId: 'patient-access-history', params: { patient: p.mrn, ...truth.window } }, { wait: true });
    expect(run).toMatchObject({ status: 'succeeded', rowCount: p.accesses.length, engine: 'duckdb', scope: truth.window });
    const [row] = await services.database.db.select().from(queryRuns).where(eq(queryRuns.id, run.id));
    // an opaque reference, never a part of the MRN; the hash itself is sealed, not in clear
    expect(row!.parameters.patient).toMatch(/^P-[0-9A-HJKMNP-TV-Z]{12}$/);
    expect(JSON.stringify([row!.parameters, row!.binds])).not.toContain(p.mrn.slice(-4));
    expect(row!.binds.patient).toBeUndefined();
    expect(JSON.stringify(row)).not.toContain(p.patientIdHash);
    expect(ledgerParams(services.keys, row!).patient).toBe(p.patientIdHash);
    expect(run.phiParameters).toEqual({ patient: `${'•'.repeat(p.mrn.length - 4)}${p.mrn.slice(-4)}` });
    expect(row!.actorLabel).toBe(ctx.actor.email);
    // the result hash is reproducible from the stored rows
    const columns = await services.results.columns(run.id);
    const hash = createHash('sha256').update(canonicalize(columns) + '\n');
    for await (const r of services.results.rows(run.id)) hash.update(canonicalize(r) + '\n');
    expect(run.resultSha256).toBe(hash.digest('hex'));
    const entries = await journalFor(run.id);
    expect(entries.map((e) => e.action)).toEqual(['query.run', 'query.run_finished']);
    expect(entries[1]!.details).toMatchObject({ rowCount: p.accesses.length, resultSha256: run.resultSha256 });
    const everything = JSON.stringify(await services.database.db.select().from(journal)) + JSON.stringify(row);
    expect(everything).not.toContain(p.mrn);
    const page = await getRunResults(ctx, run.id, { limit: 2, sort: 'event_time', dir: 'desc' });
    expect(page.total).toBe(p.accesses.length);
    expect(page.rows[0]![0]).toBe([...p.accesses].map((a) => a.time).sort().at(-1));
  });

  it.each([
    [{ from: '2026-13-01' }, 'from', 'enter a date as YYYY-MM-DD'],
    [{ from: '2026-10-30', to: '2026-10-01' }, 'to', 'must be on or after From'],
    [{ from: '2024-01-01', to: '2026-10-31' }, 'to', 'the most allowed is 366'],
    [{ patient: "' OR 1=1 --" }, 'patient', 'letters, digits or dashes'],
    [{ patient: "MRN1'; DROP TABLE query_runs; --" }, 'patient', 'letters, digits or dashes'],
    [{ extra: 'x' }, 'extra', 'is not a parameter'],
  ])('refuses %j naming the field, and records no run', async (override, field, message) => {
    const ctx = await signedIn(services, 'privacy_officer');
    const before = await runCount();
    const params = { patient: patient().mrn, ...truth.window, ...override };
    const error = await runSavedQuery(ctx, { queryId: 'patient-access-history', params }, { wait: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).fieldErrors[field]).toContain(message);
    expect(await runCount()).toBe(before);
    const rejected = await journalFor('patient-access-history');
    expect(rejected.at(-1)).toMatchObject({ action: 'query.run_rejected', details: { reason: 'invalid_parameters', fields: expect.arrayContaining([field]) } });
  });

  it('refuses a role the query does not list, records no run and journals the refusal', async () => {
    const ctx = await signedIn(services, 'security_officer');
    const before = await runCount();
    const error = await runSavedQuery(ctx, { queryId: 'patient-access-history', params: { patient: patient().mrn, ...truth.window } }, { wait: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('forbidden');
    expect(await runCount()).toBe(before);
    expect((await journalFor('query:patient-access-history')).at(-1)).toMatchObject({ action: 'auth.forbidden', actorLabel: ctx.actor.email });
  });

  it('refuses a run whose estimated scan exceeds the limit, in plain words', async () => {
    const limited = await testServices({ lakeDir, env: { CUSTOS_SCAN_LIMIT_BYTES: '1000' } });
    try {
      const ctx = await signedIn(limited, 'privacy_officer');
      const error = await runSavedQuery(ctx, { queryId: 'failed-access', params: truth.window }, { wait: true }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).message).toMatch(/would read about .* above this portal's limit of 1000 bytes per query\. Narrow the date range/);
      expect((await limited.database.db.select().from(queryRuns)).length).toBe(0);
    } finally {
      await limited.dispose();
    }
  });

  it('re-runs with the same bound values and gets the same result hash', async () => {
    const ctx = await signedIn(services, 'privacy_officer');
    const first = await runSavedQuery(ctx, { queryId: 'patient-access-history', params: { patient: patient().mrn, ...truth.window } }, { wait: true });
    const again = await rerunQuery(ctx, first.id, { wait: true });
    expect(again).toMatchObject({ status: 'succeeded', rerunOf: first.id, resultSha256: first.resultSha256, sqlSha256: first.sqlSha256 });
    expect(again.parameters).toEqual(first.parameters);
    expect(again.phiParameters).toEqual(first.phiParameters);
  });

  it('records a cancelled run as cancelled, never as succeeded', async () => {
    const ctx = await signedIn(services, 'privacy_officer');
    const run = await runSavedQuery(ctx, { queryId: 'failed-access', params: truth.window }, { wait: true, signal: AbortSignal.abort() });
    expect(run.status).toBe('cancelled');
    expect(run.resultSha256).toBeNull();
    expect((await journalFor(run.id)).map((e) => e.action)).toEqual(['query.run', 'query.run_cancelled']);
    await expect(cancelRun(ctx, run.id)).rejects.toThrow(/already cancelled/);
  });

  it('stops a run that outlives the time limit and records it as failed', async () => {
    Object.assign(process.env, fixtureQueriesEnv());
    resetEnvCache();
    const limited = await testServices({ lakeDir, env: { CUSTOS_QUERY_TIMEOUT_SECONDS: '2' } });
    try {
      const ctx = await signedIn(limited, 'privacy_officer');
      const run = await runSavedQuery(ctx, { queryId: 'event-pairs', params: truth.window }, { wait: true });
      expect(run.status).toBe('failed');
      expect(run.error).toBe("The query was stopped after running for 2 seconds, this portal's limit (CUSTOS_QUERY_TIMEOUT_SECONDS). Narrow the date range.");
    } finally {
      delete process.env.CUSTOS_EXTRA_QUERIES_DIR;
      delete process.env.CUSTOS_EXTRA_QUERIES_PHI;
      resetEnvCache();
      await limited.dispose();
    }
  });

  it('keeps the engine\'s own words out of the ledger and journal, sealed for privacy officers', async () => {
    const extra = fixtureQueriesEnv();
    // a site query the engine refuses at run time with a message that quotes a data value
    fs.writeFileSync(
      path.join(extra.CUSTOS_EXTRA_QUERIES_DIR, 'cast-fails.sql'),
      [
        '/*---',
        'id: cast-fails',
        'title: Cast fails',
        'description: Casts event names to numbers, which the engine refuses.',
        'roles: [privacy_officer, security_officer]',
        'tables: [cloudtrail_logs]',
        'range: { from: from, to: to }',
        'params:',
        '  - { name: from, type: date, label: From }',
        '  - { name: to, type: date, label: To }',
        'columns:',
        '  - { name: n, description: A number. }',
        '---*/',
        'SELECT CAST(eventname AS integer) AS n FROM cloudtrail_logs WHERE "timestamp" BETWEEN :from_partition AND :to_next_partition',
        '',
      ].join('\n'),
    );
    Object.assign(process.env, extra);
    resetEnvCache();
    const sites = await testServices({ lakeDir });
    try {
      const po = await signedIn(sites, 'privacy_officer');
      const so = await signedIn(sites, 'security_officer');
      const classified = 'The query engine could not run this query. Its own message is kept, sealed, with the run; privacy officers can read it on the run page.';
      const mine = await runSavedQuery(po, { queryId: 'cast-fails', params: truth.window }, { wait: true });
      expect(mine).toMatchObject({ status: 'failed', error: classified });
      expect((await getRun(po, mine.id)).engineError).toMatch(/Could not convert string '\w+' to INT32/);
      const theirs = await runSavedQuery(so, { queryId: 'cast-fails', params: truth.window }, { wait: true });
      expect(theirs).toMatchObject({ status: 'failed', error: classified, engineError: null });
      expect((await getRun(so, theirs.id)).engineError).toBeNull();
      for (const id of [mine.id, theirs.id]) {
        const [row] = await sites.database.db.select().from(queryRuns).where(eq(queryRuns.id, id));
        expect(row!.error).toBe(classified);
        const failed = (await sites.database.db.select().from(journal).where(eq(journal.subject, id))).find((e) => e.action === 'query.run_failed')!;
        expect(JSON.stringify(failed.details)).not.toMatch(/Could not convert|INT32/);
      }
    } finally {
      delete process.env.CUSTOS_EXTRA_QUERIES_DIR;
      delete process.env.CUSTOS_EXTRA_QUERIES_PHI;
      resetEnvCache();
      await sites.dispose();
    }
  });

  it('exports CSV and JSON, journaling each export, and hides other people\'s runs', async () => {
    const owner = await signedIn(services, 'security_officer');
    const run = await runSavedQuery(owner, { queryId: 'failed-access', params: truth.window }, { wait: true });
    const csv = await exportRun(owner, run.id, 'csv');
    const lines = (await text(csv.body)).trim().split('\r\n');
    expect(lines[0]).toBe('principal,source,denied,actions,first_denied,last_denied');
    expect(lines).toHaveLength(run.rowCount! + 1);
    const json = JSON.parse(await text((await exportRun(owner, run.id, 'json')).body));
    expect(json).toMatchObject({ runId: run.id, query: 'failed-access', stats: { rowCount: run.rowCount, resultSha256: run.resultSha256 } });
    expect(json.rows).toHaveLength(run.rowCount!);
    expect((await journalFor(run.id)).map((e) => e.action)).toEqual(['query.run', 'query.run_finished', 'query.export', 'query.export']);
    const other = await signedIn(services, 'security_officer');
    await expect(exportRun(other, run.id, 'csv')).rejects.toMatchObject({ code: 'not_found' });
    expect((await listRuns(other, {})).runs.map((r) => r.id)).not.toContain(run.id);
    const auditor = await signedIn(services, 'auditor');
    expect((await listRuns(auditor, { queryId: 'failed-access' })).runs.map((r) => r.id)).toContain(run.id);
  });

  it("journals a read of someone else's result, not the owner's own reads", async () => {
    const owner = await signedIn(services, 'privacy_officer');
    const run = await runSavedQuery(owner, { queryId: 'failed-access', params: truth.window }, { wait: true });
    await getRunResults(owner, run.id, {});
    expect((await journalFor(run.id)).map((e) => e.action)).toEqual(['query.run', 'query.run_finished']);
    const auditor = await signedIn(services, 'auditor');
    await getRunResults(auditor, run.id, { offset: 0, limit: 10 });
    expect((await journalFor(run.id)).at(-1)).toMatchObject({ action: 'query.view_results', actorLabel: auditor.actor.email, details: { queryId: 'failed-access', offset: 0 } });
  });

  it('compacts the lake on demand for an administrator only, journaling the summary', async () => {
    const admin = await signedIn(services, 'admin');
    const summary = await compactLakeNow(admin);
    expect(summary.partitionsWritten).toBe(0);
    expect(summary.partitionsUpToDate).toBeGreaterThan(0);
    const entries = await services.database.db.select().from(journal).where(eq(journal.action, 'lake.compact'));
    expect(entries.at(-1)).toMatchObject({ actorLabel: admin.actor.email, details: { partitionsWritten: 0 } });
    const privacy = await signedIn(services, 'privacy_officer');
    await expect(compactLakeNow(privacy)).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('compares two runs of the same query: what was added and removed', async () => {
    const ctx = await signedIn(services, 'privacy_officer');
    const days = truth.window;
    const narrow = await runSavedQuery(ctx, { queryId: 'decrypt-denied-timeline', params: { from: days.from, to: days.from } }, { wait: true });
    const wide = await runSavedQuery(ctx, { queryId: 'decrypt-denied-timeline', params: days }, { wait: true });
    const again = await runSavedQuery(ctx, { queryId: 'decrypt-denied-timeline', params: days }, { wait: true });
    const same = await compareRuns(ctx, wide.id, again.id);
    expect(same).toMatchObject({ sameResult: true, added: 0, removed: 0, unchanged: wide.rowCount, parameterChanges: [] });
    // only the run that asked the same question is offered for comparison
    expect((await listComparableRuns(ctx, again.id)).map((r) => r.id)).toEqual([wide.id]);
    expect(await listComparableRuns(ctx, wide.id)).toEqual([]);
    const grown = await compareRuns(ctx, narrow.id, wide.id);
    expect(grown.parameterChanges).toEqual([{ name: 'to', before: days.from, after: days.to }]);
    expect(grown.added).toBe(wide.rowCount! - narrow.rowCount!);
    expect(grown.removed).toBe(0);
    expect(grown.addedSample.length).toBe(Math.min(200, grown.added));
    const other = await runSavedQuery(ctx, { queryId: 'failed-access', params: days }, { wait: true });
    await expect(compareRuns(ctx, other.id, wide.id)).rejects.toThrow(/same saved query/);
    expect((await journalFor(wide.id)).map((e) => e.action)).toContain('query.compare');
  });

  it('exports an access result as a FHIR Bundle of AuditEvents naming the patient only by hash', async () => {
    const ctx = await signedIn(services, 'privacy_officer');
    const p = patient();
    const run = await runSavedQuery(ctx, { queryId: 'patient-access-history', params: { patient: p.mrn, ...truth.window } }, { wait: true });
    const bundle = JSON.parse(await text((await exportRun(ctx, run.id, 'fhir')).body));
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'collection' });
    expect(bundle.entry).toHaveLength(p.accesses.length);
    expect(JSON.stringify(bundle)).toContain(p.patientIdHash);
    expect(JSON.stringify(bundle)).not.toContain(p.mrn);
    const failed = await runSavedQuery(ctx, { queryId: 'failed-access', params: truth.window }, { wait: true });
    await expect(exportRun(ctx, failed.id, 'fhir')).rejects.toThrow(/Only results that list accesses/);
  });
});
