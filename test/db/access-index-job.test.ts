import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_INDEX_JOB } from '@/lib/admin/refresh-access-index';
import { makeCtx } from '@/lib/context';
import { jobSchedules, journal } from '@/lib/db/schema';
import { withTransaction } from '@/lib/db/tx';
import { enqueueJob } from '@/lib/jobs/enqueue';
import { compactLake } from '@/lib/lake/compact';
import { generateLake } from '@/lib/lake/generate';
import { DEFAULT_LAYOUT } from '@/lib/lake/layout';
import { prepareDatabase } from '@/lib/boot/prepare-database';
import { testServices, type TestServices } from '../support/services';

// The access index is kept by a recurring job: it indexes the days that are due, journals what it
// built, and does nothing (and journals nothing) when the index is current.
describe(`the access index job (${process.env.CUSTOS_TEST_DB})`, () => {
  let services: TestServices;
  let lakeDir: string;
  beforeAll(async () => {
    lakeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-index-job-'));
    await generateLake({ outDir: lakeDir, layout: DEFAULT_LAYOUT, days: 7, eventsPerDay: 500, seed: 9, end: '2026-10-31' });
    await compactLake({ dir: lakeDir, layout: DEFAULT_LAYOUT }, {});
    services = await testServices({ lakeDir });
  });
  afterAll(async () => {
    await services?.dispose();
    fs.rmSync(lakeDir, { recursive: true, force: true });
  });

  const runJob = async () => {
    const ctx = makeCtx(services, { type: 'system', job: 'scheduler' });
    const id = await withTransaction(ctx, (tx, txCtx) => enqueueJob(tx, txCtx, { kind: ACCESS_INDEX_JOB, payload: { scheduled: true } }));
    return services.jobs.runNow(id);
  };
  const entries = async () => services.database.db.select().from(journal).where(eq(journal.action, 'lake.index_refreshed'));

  it('is scheduled hourly by default', async () => {
    await prepareDatabase(services);
    const [schedule] = await services.database.db.select().from(jobSchedules).where(and(eq(jobSchedules.kind, ACCESS_INDEX_JOB), eq(jobSchedules.enabled, true)));
    expect(schedule).toMatchObject({ intervalSeconds: 3600 });
  });

  it('indexes the due days and journals it, then has nothing to do', async () => {
    const first = await runJob();
    expect(first.state).toBe('succeeded');
    expect(first.result).toMatchObject({ daysBuilt: expect.any(Number), through: expect.stringMatching(/^2026-10-\d\d$/) });
    expect((first.result as { daysBuilt: number }).daysBuilt).toBeGreaterThan(3);
    expect(await entries()).toHaveLength(1);
    expect((await entries())[0]!.details).toMatchObject({ daysBuilt: (first.result as { daysBuilt: number }).daysBuilt });
    expect(await services.engine.accessIndex.span()).toMatchObject({ through: (first.result as { through: string }).through });

    const second = await runJob();
    expect(second.result).toMatchObject({ daysBuilt: 0 });
    expect(await entries()).toHaveLength(1);
  });
});
