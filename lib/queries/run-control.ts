import 'server-only';
import { authorize } from '@/lib/auth/authorize';
import { actorId } from '@/lib/auth/actor';
import type { Ctx } from '@/lib/context';
import { DomainError } from '@/lib/errors';
import { cancelActiveRun } from './active-runs';
import type { RunDto } from './dto';
import { loadVisibleRun } from './ledger';
import { runSavedQuery } from './run-saved-query';

/** Cancels a running run (its owner only); the run itself records the cancellation when it stops. */
export async function cancelRun(ctx: Ctx, runId: string): Promise<void> {
  await authorize(ctx, 'query.use');
  const row = await loadVisibleRun(ctx, runId);
  if (row.actorId !== actorId(ctx.actor)) throw new DomainError('forbidden', 'Only the person who started a run can cancel it.');
  if (row.status !== 'running') throw new DomainError('conflict', `The run has already ${row.status}.`);
  if (!cancelActiveRun(row.id)) throw new DomainError('conflict', 'The run is not executing in this portal process.');
}

/** Runs the same saved query again with the values bound last time (patient MRNs stay hashed). */
export async function rerunQuery(ctx: Ctx, runId: string, options: { wait: boolean }): Promise<RunDto> {
  await authorize(ctx, 'query.use');
  const row = await loadVisibleRun(ctx, runId);
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries(row.binds)) params[k] = String(v);
  return runSavedQuery(ctx, { queryId: row.queryId, params }, { wait: options.wait, rerunOf: row.id });
}
