import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareDatabase } from '@/lib/boot/prepare-database';
import { createServices } from '@/lib/boot/services';
import { parseEnv, resetEnvCache } from '@/lib/config/env';
import { jobs, journal, queryRuns } from '@/lib/db/schema';
import { compactLake } from '@/lib/lake/compact';
import { generateLake } from '@/lib/lake/generate';
import { DEFAULT_LAYOUT } from '@/lib/lake/layout';
import { cancelRun } from '@/lib/queries/cancel-run';
import { getRun } from '@/lib/queries/get-run';
import { runSavedQuery } from '@/lib/queries/run-saved-query';
import { signedIn } from '../support/actors';
import { testServices, type TestServices } from '../support/services';
import { until } from '../support/until';
import { fixtureQueriesEnv } from '../support/extra-queries';

const kind = process.env.CUSTOS_TEST_DB as 'pglite' | 'postgres';
const WINDOW = { from: '2026-10-29', to: '2026-10-31' };


// Query runs are jobs: a worker in any process runs them, a restart resumes them, and their
// progress and cancellation go through the portal database.
describe(`query runs as durable jobs (${kind})`, () => {
  let lakeDir: string;
  let services: TestServices;
  const status = async (runId: string) => (await services.database.db.select().from(queryRuns).where(eq(queryRuns.id, runId)))[0]!;

  beforeAll(async () => {
    lakeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-query-jobs-lake-'));
    await generateLake({ outDir: lakeDir, layout: DEFAULT_LAYOUT, days: 5, eventsPerDay: 400, seed: 9, end: '2026-10-31' });
    await compactLake({ dir: lakeDir, layout: DEFAULT_LAYOUT }, {});
    Object.assign(process.env, fixtureQueriesEnv());
    resetEnvCache();
    services = await testServices({ lakeDir, env: { CUSTOS_QUERY_TIMEOUT_SECONDS: '4', CUSTOS_JOB_LEASE_SECONDS: '1' } });
  });
  afterAll(async () => {
    await services?.dispose();
    delete process.env.CUSTOS_EXTRA_QUERIES_DIR;
      delete process.env.CUSTOS_EXTRA_QUERIES_PHI;
    resetEnvCache();
    fs.rmSync(lakeDir, { recursive: true, force: true });
  });

  it('resumes a run that no worker had started when the portal stopped', async () => {
    const ctx = await signedIn(services, 'security_officer');
    const run = await runSavedQuery(ctx, { queryId: 'failed-access', params: WINDOW }, { wait: false });
    expect(run.status).toBe('running');
    // nobody ran it; the next start's worker does
    await prepareDatabase(services);
    services.jobs.start();
    const done = await until(async () => ((await status(run.id)).status !== 'running' ? status(run.id) : null), 30_000);
    await services.jobs.stop();
    expect(done.status).toBe('succeeded');
    expect(done.resultSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('shows the progress of a running run from the job table, and records a run cut off mid-way when it runs again', async () => {
    const ctx = await signedIn(services, 'privacy_officer');
    const run = await runSavedQuery(ctx, { queryId: 'event-pairs', params: WINDOW }, { wait: false });
    services.jobs.start();
    const seen = await until(async () => {
      const detail = await getRun(ctx, run.id);
      return detail.executing && detail.progress ? detail : null;
    });
    expect(seen.progress!.elapsedMs).toBeGreaterThanOrEqual(0);
    // the process stops mid-run: its worker lets go, the run stays open for the next start
    await services.jobs.stop();
    expect((await status(run.id)).status).toBe('running');
    await prepareDatabase(services);
    services.jobs.start();
    const done = await until(async () => ((await status(run.id)).status !== 'running' ? status(run.id) : null), 30_000);
    await services.jobs.stop();
    // the second attempt ran the whole query again and met the portal's time limit
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/stopped after running for 4 seconds/);
    const [job] = await services.database.db.select().from(jobs).where(eq(jobs.subject, run.id));
    expect(job!.attempts).toBe(2);
    const actions = (await services.database.db.select().from(journal).where(eq(journal.subject, job!.id))).map((e) => e.action);
    expect(actions).toEqual(['job.created', 'job.started', 'job.taken_over', 'job.failed']);
  });

  it('cancels a run that another portal process is running', async () => {
    const env = parseEnv({ CUSTOS_DATA_DIR: services.testDb.dataDir, NEXTAUTH_URL: 'https://custos.test', ...(services.testDb.url ? { DATABASE_URL: services.testDb.url, CUSTOS_DEMO: '1' } : {}), CUSTOS_LAKE_DIR: lakeDir });
    const ctx = await signedIn(services, 'privacy_officer');
    const run = await runSavedQuery(ctx, { queryId: 'event-pairs', params: WINDOW }, { wait: false });
    services.jobs.start();
    await until(async () => (await getRun(ctx, run.id)).executing);
    if (kind === 'postgres') {
      // a second portal process: its own connections and worker, no shared memory
      const other = await createServices(env, { lakeDir });
      try {
        await cancelRun({ ...ctx, services: other, db: other.database.db }, run.id);
      } finally {
        await other.close();
      }
    } else {
      await cancelRun(ctx, run.id);
    }
    const done = await until(async () => ((await status(run.id)).status !== 'running' ? status(run.id) : null), 10_000);
    await services.jobs.stop();
    expect(done.status).toBe('cancelled');
    const [job] = await services.database.db.select().from(jobs).where(eq(jobs.subject, run.id));
    expect(job!.state).toBe('cancelled');
  });
});
