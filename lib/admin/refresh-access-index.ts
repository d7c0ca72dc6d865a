import 'server-only';
import { eq } from 'drizzle-orm';
import type { Actor } from '@/lib/actor';
import type { Env } from '@/lib/config/env';
import { makeCtx, type Services } from '@/lib/context';
import type { Db } from '@/lib/db/port';
import { jobSchedules } from '@/lib/db/schema';
import { withTransaction } from '@/lib/db/tx';
import type { AccessIndexRefresh } from '@/lib/engine/port';
import type { JobHandler } from '@/lib/jobs/types';
import { ensureSchedule, scheduleFromSetting } from '@/lib/jobs/schedules';
import { appendJournal } from '@/lib/journal/append';
import { accessIndexBuild } from '@/lib/queries/access-index-build';

// The access index is refreshed by a recurring job (CUSTOS_ACCESS_INDEX_REFRESH), after each
// compaction on the embedded engine, and at start: days newly delivered (and days whose logs
// changed) are indexed; the latest hours stay with the raw logs until they are complete.

export const ACCESS_INDEX_JOB = 'lake.index';

// mutation-path: a worker runs what the schedule or an administrator already asked for; the index
// is derived data (rebuilt from the logs), and a refresh that built days is journaled.
export async function refreshAccessIndex(services: Services, actor: Actor, jobId: string | null, signal?: AbortSignal): Promise<AccessIndexRefresh> {
  const report = await services.engine.accessIndex.refresh(accessIndexBuild, { signal });
  if (report.daysBuilt > 0) {
    const ctx = makeCtx(services, actor, jobId ?? undefined);
    await withTransaction(ctx, (tx, txCtx) =>
      appendJournal(tx, txCtx, {
        action: 'lake.index_refreshed',
        subject: null,
        details: { daysBuilt: report.daysBuilt, rows: report.rows, through: report.through, seconds: report.seconds },
      }),
    );
  }
  return report;
}

export function accessIndexJob(services: Services): JobHandler {
  return async ({ job, signal }) => {
    const actor = (job.payload.actor as Actor | undefined) ?? { type: 'system', job: 'access-index' };
    return (await refreshAccessIndex(services, actor, job.id, signal)) as unknown as Record<string, unknown>;
  };
}

// mutation-path: the portal's own configuration, set at start by the composition root (the system actor).
/** Creates, updates or switches off the recurring refresh. */
export async function syncAccessIndexSchedule(tx: Db, env: Env): Promise<void> {
  const schedule = scheduleFromSetting(ACCESS_INDEX_JOB, env.CUSTOS_ACCESS_INDEX_REFRESH, { scheduled: true });
  if (schedule) await ensureSchedule(tx, schedule);
  await tx.update(jobSchedules).set({ enabled: schedule !== null }).where(eq(jobSchedules.kind, ACCESS_INDEX_JOB));
}
