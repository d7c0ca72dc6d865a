import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { journal } from '@/lib/db/schema';
import { DomainError } from '@/lib/errors';
import { estimateRun } from '@/lib/queries/estimate-run';
import { runSavedQuery } from '@/lib/queries/run-saved-query';
import { signedIn } from '../support/actors';
import { testServices, type TestServices } from '../support/services';

// Limits on heavy work, with a clear message: runs at once per person and portal-wide, runs per
// person per hour, estimates per minute. Simultaneous submissions cannot slip past them.
describe(`limits on runs and estimates (${process.env.CUSTOS_TEST_DB})`, () => {
  let services: TestServices;
  const WINDOW = { from: '2026-10-01', to: '2026-10-07' };
  // no worker runs here, so recorded runs stay running: exactly what the limits count
  const start = (ctx: Awaited<ReturnType<typeof signedIn>>) => runSavedQuery(ctx, { queryId: 'failed-access', params: WINDOW }, { wait: false });
  const refusal = (promise: Promise<unknown>) => promise.then(() => null, (e: unknown) => e as DomainError);

  beforeAll(async () => {
    services = await testServices({
      env: { CUSTOS_MAX_RUNS_PER_USER: '2', CUSTOS_MAX_RUNS: '5', CUSTOS_RUNS_PER_USER_PER_HOUR: '4', CUSTOS_ESTIMATES_PER_USER_PER_MINUTE: '2', CUSTOS_PORTAL_WORKER: 'off' },
    });
  });
  afterAll(async () => services?.dispose());

  it('lets a person run two at once, not a third, even when they arrive together', async () => {
    const ctx = await signedIn(services, 'security_officer');
    const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => start(ctx)));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(2);
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected').map((o) => o.reason as DomainError);
    expect(refused).toHaveLength(3);
    for (const e of refused) {
      expect(e).toBeInstanceOf(DomainError);
      expect(e.code).toBe('limit');
      expect(e.message).toMatch(/You already have 2 queries running, the most one person may run at once/);
    }
    const rejections = await services.database.db.select().from(journal).where(eq(journal.action, 'query.run_rejected'));
    expect(rejections.filter((r) => r.details.reason === 'concurrency_user')).toHaveLength(3);
  });

  it('holds the portal-wide limit across people', async () => {
    const a = await signedIn(services, 'privacy_officer');
    const b = await signedIn(services, 'auditor');
    await start(a);
    await start(a);
    await start(b); // five running now, the portal's limit
    const error = await refusal(start(b));
    expect(error?.message).toMatch(/The portal is already running 5 queries, its limit at once/);
  });

  it('holds each person to their hourly budget', async () => {
    const ctx = await signedIn(services, 'security_officer', 'budget@test.custos');
    await services.database.db.execute(sql`UPDATE query_runs SET status = 'succeeded'`);
    for (let i = 0; i < 4; i++) {
      await start(ctx);
      await services.database.db.execute(sql`UPDATE query_runs SET status = 'succeeded'`);
    }
    expect((await refusal(start(ctx)))?.message).toMatch(/You have run 4 queries in the last hour, the most this portal allows/);
  });

  it('rate-limits estimates per person', async () => {
    const ctx = await signedIn(services, 'auditor');
    const ask = () => estimateRun(ctx, { queryId: 'failed-access', params: WINDOW });
    await ask();
    await ask();
    expect((await refusal(ask()))?.message).toMatch(/Too many estimates in the last minute/);
    const other = await signedIn(services, 'auditor');
    await expect(estimateRun(other, { queryId: 'failed-access', params: WINDOW })).resolves.toMatchObject({ engine: 'duckdb' });
  });
});
