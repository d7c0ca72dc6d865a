import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCtx } from '@/lib/context';
import { openDatabase } from '@/lib/db/client';
import type { Database } from '@/lib/db/port';
import { jobs, journal } from '@/lib/db/schema';
import { withTransaction } from '@/lib/db/tx';
import { enqueueJob } from '@/lib/jobs/enqueue';
import { cancelQueued, readJob, requestCancel } from '@/lib/jobs/lease';
import { ensureSchedule, enqueueDueSchedules, nextRunAfter } from '@/lib/jobs/schedules';
import { PermanentJobFailure, type JobHandlers, type JobSpec } from '@/lib/jobs/types';
import { createJobRunner, type WorkerOptions } from '@/lib/jobs/worker';
import { verifyJournal } from '@/lib/journal/verify';
import { prepareDatabase } from '@/lib/boot/prepare-database';
import { testServices, type TestServices } from '../support/services';
import { until } from '../support/until';

const kind = process.env.CUSTOS_TEST_DB as 'pglite' | 'postgres';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));


describe(`durable jobs (${kind})`, () => {
  let services: TestServices;
  const ctx = () => makeCtx(services, { type: 'cli', osUser: 'tester' });
  const enqueue = (spec: JobSpec) => withTransaction(ctx(), (tx, txCtx) => enqueueJob(tx, txCtx, spec));
  const runner = (handlers: JobHandlers, options: Partial<WorkerOptions> = {}) =>
    createJobRunner({ db: services.database.db, handlers, pollMs: 25, leaseMs: 1_000, retryDelaySeconds: () => 0, ...options });
  const journalOf = async (jobId: string) =>
    (await services.database.db.select().from(journal).where(eq(journal.subject, jobId)).orderBy(journal.seq)).map((e) => e.action);

  beforeAll(async () => {
    services = await testServices({ seed: false });
  });
  afterAll(async () => services?.dispose());

  it('runs a job, keeps its result and journals created, started and finished', async () => {
    const id = await enqueue({ kind: 'test.echo', payload: { n: 21 } });
    const job = await runner({ 'test.echo': async ({ job }) => ({ doubled: Number(job.payload.n) * 2 }) }).runNow(id);
    expect(job).toMatchObject({ state: 'succeeded', attempts: 1, result: { doubled: 42 }, leaseOwner: null });
    expect(await journalOf(id)).toEqual(['job.created', 'job.started', 'job.finished']);
  });

  it('retries a failing job, then fails it for good after its last attempt', async () => {
    const id = await enqueue({ kind: 'test.flaky', maxAttempts: 3 });
    let calls = 0;
    const worker = runner({
      'test.flaky': async () => {
        calls++;
        throw new Error('transient');
      },
    });
    worker.start();
    const job = await until(async () => {
      const j = await readJob(services.database.db, id);
      return j?.state === 'failed' ? j : null;
    });
    await worker.stop();
    expect(calls).toBe(3);
    expect(job).toMatchObject({ attempts: 3, error: 'internal error (Error)' });
    const failures = (await services.database.db.select().from(journal).where(eq(journal.subject, id))).filter((e) => e.action === 'job.failed');
    expect(failures.map((e) => e.details.willRetry)).toEqual([true, true, false]);
  });

  it('does not retry a failure another attempt would not fix', async () => {
    const id = await enqueue({ kind: 'test.permanent', maxAttempts: 5 });
    const job = await runner({
      'test.permanent': async () => {
        throw new PermanentJobFailure('the request names no study');
      },
    }).runNow(id);
    expect(job).toMatchObject({ state: 'failed', attempts: 1, error: 'the request names no study' });
  });

  it('cancels a queued job before any worker starts it', async () => {
    const id = await enqueue({ kind: 'test.echo' });
    expect(await withTransaction(ctx(), (tx) => cancelQueued(tx, id))).toBe(true);
    expect(await readJob(services.database.db, id)).toMatchObject({ state: 'cancelled' });
    expect(await withTransaction(ctx(), (tx) => cancelQueued(tx, id))).toBe(false);
  });

  it('stops a running job when a cancel is requested from elsewhere (seen at the next heartbeat)', async () => {
    const id = await enqueue({ kind: 'test.wait' });
    const worker = runner({
      'test.wait': ({ signal }) =>
        new Promise((_, reject) => {
          signal.addEventListener('abort', () => reject(new Error(`stopped: ${String(signal.reason)}`)));
        }),
    });
    const finished = worker.runNow(id);
    await until(async () => (await readJob(services.database.db, id))?.state === 'running');
    // another process would see only the database: it sets the flag, the running worker notices it
    expect(await requestCancel(services.database.db, id)).toBe(true);
    expect(await finished).toMatchObject({ state: 'cancelled' });
    expect(await journalOf(id)).toEqual(['job.created', 'job.started', 'job.cancelled']);
  });

  it('never runs a job twice when two workers race for the same queue', async () => {
    const ids = await Promise.all(Array.from({ length: 30 }, (_, i) => enqueue({ kind: 'test.race', payload: { i } })));
    const runs = new Map<string, string[]>();
    let other: Database | null = null;
    try {
      // Two workers on two connections where the server allows it (PostgreSQL); on PGlite they share the one.
      other = kind === 'postgres' ? await openDatabase({ url: services.testDb.url, dataDir: services.testDb.dataDir }) : null;
      const handlerFor = (name: string): JobHandlers => ({
        'test.race': async ({ job }) => {
          runs.set(job.id, [...(runs.get(job.id) ?? []), name]);
          await sleep(5 + Math.random() * 20);
        },
      });
      const a = runner(handlerFor('a'), { concurrency: 3 });
      const b = createJobRunner({ db: (other ?? services.database).db, handlers: handlerFor('b'), pollMs: 25, leaseMs: 1_000, concurrency: 3 });
      a.start();
      b.start();
      await until(async () => {
        const done = await services.database.db.select({ id: jobs.id }).from(jobs).where(sql`${jobs.kind} = 'test.race' AND ${jobs.state} = 'succeeded'`);
        return done.length === ids.length;
      }, 30_000);
      await Promise.all([a.stop(), b.stop()]);
    } finally {
      await other?.close();
    }
    expect([...runs.keys()].sort()).toEqual([...ids].sort());
    expect([...runs.values()].filter((who) => who.length !== 1)).toEqual([]);
    if (kind === 'postgres') expect(new Set([...runs.values()].flat())).toEqual(new Set(['a', 'b']));
    expect((await verifyJournal(services.database.db)).ok).toBe(true);
  });

  it('lets another worker finish the job of a worker that stopped, once its lease expires', async () => {
    const id = await enqueue({ kind: 'test.resumable' });
    const first = runner({ 'test.resumable': () => new Promise(() => undefined) }, { owner: 'first', leaseMs: 600 });
    first.start();
    await until(async () => (await readJob(services.database.db, id))?.state === 'running');
    await first.stop(); // as if it died: the job stays running under its lease
    expect(await readJob(services.database.db, id)).toMatchObject({ state: 'running', leaseOwner: 'first' });
    const second = runner({ 'test.resumable': async ({ attempt }) => ({ attempt }) }, { owner: 'second' });
    second.start();
    const job = await until(async () => {
      const j = await readJob(services.database.db, id);
      return j?.state === 'succeeded' ? j : null;
    });
    await second.stop();
    expect(job).toMatchObject({ attempts: 2, result: { attempt: 2 } });
    expect(await journalOf(id)).toEqual(['job.created', 'job.started', 'job.taken_over', 'job.finished']);
    const [takeover] = await services.database.db.select().from(journal).where(eq(journal.action, 'job.taken_over'));
    expect(takeover!.details).toMatchObject({ worker: 'second', previousWorker: 'first' });
  });

  it('on the embedded database, hands an interrupted job to the next start at once', async () => {
    const id = await enqueue({ kind: 'test.restart' });
    const before = runner({ 'test.restart': () => new Promise(() => undefined) }, { owner: 'before-restart', leaseMs: 60_000 });
    before.start();
    await until(async () => (await readJob(services.database.db, id))?.state === 'running');
    await before.stop();
    await prepareDatabase(services);
    const lease = (await readJob(services.database.db, id))!.leaseExpiresAt!;
    if (kind === 'pglite') expect(lease.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
    else expect(lease.getTime()).toBeGreaterThan(Date.now() + 30_000); // PostgreSQL: other processes may hold it
    const after = runner({ 'test.restart': async () => ({ resumed: true }) }, { owner: 'after-restart', leaseMs: 60_000 });
    if (kind === 'pglite') {
      expect(await after.runNow(id)).toMatchObject({ state: 'succeeded', attempts: 2 });
    }
    await services.database.db.update(jobs).set({ state: 'cancelled' }).where(eq(jobs.id, id));
  });

  it('enqueues a recurring job once per occurrence, however many workers look', async () => {
    await withTransaction(ctx(), (tx) => ensureSchedule(tx, { kind: 'test.tick', intervalSeconds: 3600 }));
    expect(await enqueueDueSchedules(services.database.db)).toBe(0); // not due for an hour
    await services.database.db.execute(sql`UPDATE job_schedules SET next_run_at = now() - interval '1 second' WHERE kind = 'test.tick'`);
    const counts = await Promise.all([enqueueDueSchedules(services.database.db), enqueueDueSchedules(services.database.db)]);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(1);
    const ticks = await services.database.db.select().from(jobs).where(eq(jobs.kind, 'test.tick'));
    expect(ticks).toHaveLength(1);
    // still open, so the next occurrence does not pile another one up
    await services.database.db.execute(sql`UPDATE job_schedules SET next_run_at = now() - interval '1 second' WHERE kind = 'test.tick'`);
    expect(await enqueueDueSchedules(services.database.db)).toBe(0);
  });

  it('computes the next time of interval and daily schedules', () => {
    const now = new Date('2026-12-03T10:15:00Z');
    expect(nextRunAfter({ intervalSeconds: 300, dailyAt: null }, now).toISOString()).toBe('2026-12-03T10:20:00.000Z');
    expect(nextRunAfter({ intervalSeconds: null, dailyAt: '02:30' }, now).toISOString()).toBe('2026-12-04T02:30:00.000Z');
    expect(nextRunAfter({ intervalSeconds: null, dailyAt: '23:05' }, now).toISOString()).toBe('2026-12-03T23:05:00.000Z');
    expect(() => nextRunAfter({ intervalSeconds: null, dailyAt: '25:00' }, now)).toThrow(/HH:MM/);
  });
});
