import 'server-only';
import { eq } from 'drizzle-orm';
import { actorId } from '@/lib/actor';
import { authorize, journalForbidden } from '@/lib/auth/authorize';
import type { Ctx } from '@/lib/context';
import { queryRuns } from '@/lib/db/schema';
import { withTransaction } from '@/lib/db/tx';
import { DomainError } from '@/lib/errors';
import { cancelQueued, latestJobFor, requestCancel } from '@/lib/jobs/lease';
import { appendJournal } from '@/lib/journal/append';
import { QUERY_RUN_JOB } from './query-run-job';
import { loadVisibleRun } from './visible-run';

/**
 * Cancels a run (its owner only). A run no worker has started is cancelled here; a running one is
 * stopped by whichever process runs it (at once in this process, at its next heartbeat elsewhere)
 * and records the cancellation itself.
 */
export async function cancelRun(ctx: Ctx, runId: string): Promise<void> {
  await authorize(ctx, 'query.use');
  const row = await loadVisibleRun(ctx, runId);
  if (row.actorId !== actorId(ctx.actor)) {
    await journalForbidden(ctx, 'run.cancel', `run:${row.id}`);
    throw new DomainError('forbidden', 'Only the person who started a run can cancel it.');
  }
  if (row.status !== 'running') throw new DomainError('conflict', `The run has already ${row.status}.`);
  const job = await latestJobFor(ctx.db, row.id, QUERY_RUN_JOB);
  if (!job || (job.state !== 'queued' && job.state !== 'running')) throw new DomainError('conflict', 'The run is not executing.');
  if (ctx.services.jobs.abortLocal(job.id)) return;
  const cancelledBeforeStart = await withTransaction(ctx, async (tx, txCtx) => {
    if (!(await cancelQueued(tx, job.id))) return false;
    const message = 'The query was cancelled before it started.';
    await tx.update(queryRuns).set({ status: 'cancelled', error: message, finishedAt: txCtx.now(), durationMs: 0 }).where(eq(queryRuns.id, row.id));
    await appendJournal(tx, txCtx, { action: 'job.cancelled', subject: job.id, details: { kind: job.kind, attempt: job.attempts } });
    await appendJournal(tx, txCtx, { action: 'query.run_cancelled', subject: row.id, details: { queryId: row.queryId, error: message } });
    return true;
  });
  if (!cancelledBeforeStart) await requestCancel(ctx.db, job.id);
}
