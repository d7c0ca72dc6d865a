import 'server-only';
import type { Actor } from '@/lib/actor';
import { authorize } from '@/lib/auth/authorize';
import { makeCtx, type Ctx, type Services } from '@/lib/context';
import { withTransaction } from '@/lib/db/tx';
import { DomainError } from '@/lib/errors';
import { enqueueJob } from '@/lib/jobs/enqueue';
import type { JobHandler } from '@/lib/jobs/types';
import { appendJournal } from '@/lib/journal/append';
import { compactLake, type CompactSummary } from '@/lib/lake/compact';
import { refreshAccessIndex } from './refresh-access-index';

export const LAKE_COMPACT_JOB = 'lake.compact';

/** Compacts newly delivered raw files now, as a job (the portal also does it at start); journaled with its summary. */
export async function compactLakeNow(ctx: Ctx): Promise<CompactSummary> {
  await authorize(ctx, 'admin.view', 'admin:compact');
  if (!ctx.services.engine.capabilities.localLake) {
    throw new DomainError('precondition', 'Compaction applies to the embedded engine; on Athena it is the scheduled INSERT INTO described in lib/lake/ddl.');
  }
  const jobId = await withTransaction(ctx, (tx, txCtx) => enqueueJob(tx, txCtx, { kind: LAKE_COMPACT_JOB, payload: { actor: ctx.actor }, maxAttempts: 2 }));
  const job = await ctx.services.jobs.runNow(jobId);
  if (job.state !== 'succeeded') throw new DomainError('precondition', `Compaction ${job.state}: ${job.error ?? 'no reason given'}.`);
  return job.result as CompactSummary;
}

// mutation-path: a worker runs what an administrator already asked for (authorized when enqueued).
/** The compaction job: crash-safe and incremental by construction (lib/lake/compact.ts), so a second attempt finishes the first. */
export function compactLakeJob(services: Services): JobHandler {
  return async ({ job }) => {
    const actor = (job.payload.actor as Actor | undefined) ?? { type: 'system', job: 'lake-compaction' };
    const summary = await compactLake(services.lake, {});
    // the days compaction changed are indexed again, and newly complete days indexed
    const accessIndex = await refreshAccessIndex(services, actor, job.id);
    const ctx = makeCtx(services, actor, job.id);
    await withTransaction(ctx, (tx, txCtx) =>
      appendJournal(tx, txCtx, {
        action: 'lake.compact',
        subject: null,
        details: { rawFiles: summary.rawFiles, records: summary.records, partitionsWritten: summary.partitionsWritten, seconds: summary.seconds },
      }),
    );
    return { ...summary, accessIndex } as unknown as Record<string, unknown>;
  };
}
