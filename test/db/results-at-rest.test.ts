import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCtx } from '@/lib/context';
import { journal, queryRuns } from '@/lib/db/schema';
import { withTransaction } from '@/lib/db/tx';
import { enqueueJob } from '@/lib/jobs/enqueue';
import { compactLake } from '@/lib/lake/compact';
import { generateLake } from '@/lib/lake/generate';
import type { Truth } from '@/lib/lake/generate/truth';
import { DEFAULT_LAYOUT } from '@/lib/lake/layout';
import { exportRun } from '@/lib/queries/export-run';
import { getRunResults } from '@/lib/queries/get-run-results';
import { RESULTS_PURGE_JOB } from '@/lib/queries/purge-results';
import { runSavedQuery } from '@/lib/queries/run-saved-query';
import { createSealedWriter } from '@/lib/storage/sealed-stream';
import { signedIn } from '../support/actors';
import { testServices, type TestServices } from '../support/services';

// Results at rest: owner-only files, sealed (AES-256-GCM), re-hashed before every export, purged
// after the retention unless evidence keeps them.
describe(`stored results (${process.env.CUSTOS_TEST_DB})`, () => {
  let lakeDir: string;
  let services: TestServices;
  let truth: Truth;

  beforeAll(async () => {
    lakeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-at-rest-lake-'));
    await generateLake({ outDir: lakeDir, layout: DEFAULT_LAYOUT, days: 5, eventsPerDay: 400, seed: 13, end: '2026-10-31' });
    await compactLake({ dir: lakeDir, layout: DEFAULT_LAYOUT }, {});
    truth = JSON.parse(fs.readFileSync(path.join(lakeDir, 'truth.json'), 'utf8')) as Truth;
    services = await testServices({ lakeDir, env: { CUSTOS_RESULT_RETENTION_DAYS: '30' } });
  });
  afterAll(async () => {
    await services?.dispose();
    fs.rmSync(lakeDir, { recursive: true, force: true });
  });

  const patientRun = async () => {
    const ctx = await signedIn(services, 'privacy_officer');
    const p = truth.patients.find((x) => x.accesses.length > 0)!;
    return { ctx, p, run: await runSavedQuery(ctx, { queryId: 'patient-access-history', params: { patient: p.mrn, ...truth.window } }, { wait: true }) };
  };

  it('keeps the data directory and everything the portal wrote in it owner-only', async () => {
    await patientRun();
    const loose: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (full === services.lake.dir) continue; // the lake is input, not the portal's own
        const mode = fs.statSync(full).mode & 0o777;
        // PGlite creates new relation files world-readable inside its 0700 folder: others cannot reach them
        const insideDb = path.relative(services.env.dataDir, full).startsWith(`db${path.sep}`) && !entry.isDirectory();
        if ((mode & 0o077) !== 0 && !insideDb) loose.push(`${path.relative(services.env.dataDir, full)} ${mode.toString(8)}`);
        if (entry.isDirectory()) walk(full);
      }
    };
    expect((fs.statSync(services.env.dataDir).mode & 0o777).toString(8)).toBe('700');
    if (services.database.kind === 'pglite') expect((fs.statSync(path.join(services.env.dataDir, 'db')).mode & 0o777).toString(8)).toBe('700');
    walk(services.env.dataDir);
    expect(loose).toEqual([]);
  });

  it('seals the rows: nothing of them can be read from the file', async () => {
    const { p, run } = await patientRun();
    const stored = fs.readFileSync(path.join(services.env.dataDir, 'results', `${run.id}.rows.sealed`)).toString('latin1');
    const secrets = [p.studies[0]!.studyInstanceUid, p.accesses[0]!.principal, 'event_time'];
    expect(secrets.filter((s) => stored.includes(s))).toEqual([]);
    expect((await services.results.verify(run.id)).sha256).toBe(run.resultSha256);
  });

  it('re-hashes a result before exporting it and refuses one that no longer matches the ledger', async () => {
    const { ctx, run } = await patientRun();
    // rewrite the stored rows with one changed, properly sealed (as someone holding the key could)
    const file = path.join(services.env.dataDir, 'results', `${run.id}.rows.sealed`);
    const columns = await services.results.columns(run.id);
    const rows: unknown[][] = [];
    for await (const row of services.results.rows(run.id)) rows.push(row);
    rows[0]![0] = '2026-10-30T00:00:00Z';
    const writer = createSealedWriter(file, services.keys.fileKey('results'), `result:${run.id}`);
    await writer.write(`${JSON.stringify(columns)}\n${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
    await writer.finish();
    await expect(exportRun(ctx, run.id, 'csv')).rejects.toThrow(/no longer matches the SHA-256 its run recorded/);
    const entries = await services.database.db.select().from(journal).where(eq(journal.subject, run.id));
    expect(entries.map((e) => e.action)).toContain('query.export_refused');
    expect(entries.map((e) => e.action)).not.toContain('query.export');
  });

  it('refuses a sealed file that was cut off or altered', async () => {
    const { run } = await patientRun();
    const file = path.join(services.env.dataDir, 'results', `${run.id}.rows.sealed`);
    const bytes = fs.readFileSync(file);
    fs.writeFileSync(file, bytes.subarray(0, bytes.length - 20));
    await expect(services.results.verify(run.id)).rejects.toThrow(/cut off|altered/);
    const flipped = Buffer.from(bytes);
    flipped[40]! ^= 0x01;
    fs.writeFileSync(file, flipped);
    await expect(services.results.verify(run.id)).rejects.toThrow(/altered/);
  });

  it('purges results past the retention, keeps those evidence holds, and says so', async () => {
    const { ctx, run: old } = await patientRun();
    const { run: held } = await patientRun();
    const { run: recent } = await patientRun();
    const longAgo = new Date(Date.now() - 40 * 86_400_000);
    await services.database.db.update(queryRuns).set({ startedAt: longAgo }).where(eq(queryRuns.id, old.id));
    await services.database.db.update(queryRuns).set({ startedAt: longAgo, resultKeepUntil: new Date(Date.now() + 86_400_000) }).where(eq(queryRuns.id, held.id));
    const system = makeCtx(services, { type: 'system', job: 'scheduler' });
    const jobId = await withTransaction(system, (tx, c) => enqueueJob(tx, c, { kind: RESULTS_PURGE_JOB }));
    expect(await services.jobs.runNow(jobId)).toMatchObject({ state: 'succeeded' });
    expect(services.results.exists(old.id)).toBe(false);
    expect(services.results.exists(held.id)).toBe(true);
    expect(services.results.exists(recent.id)).toBe(true);
    await expect(getRunResults(ctx, old.id, {})).rejects.toThrow(/was purged on \d{4}-\d{2}-\d{2}, after the portal's retention/);
    const [entry] = await services.database.db.select().from(journal).where(eq(journal.action, 'query.results_purged'));
    expect(entry!.details).toMatchObject({ retentionDays: 30 });
    expect(entry!.details.runIds).toContain(old.id);
    expect(entry!.details.runIds).not.toContain(held.id);
  });
});
