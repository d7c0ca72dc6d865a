import 'server-only';
import { actorId } from '@/lib/actor';
import { authorize } from '@/lib/auth/authorize';
import type { Ctx } from '@/lib/context';
import { DomainError } from '@/lib/errors';
import { cancelActiveRun } from './active-runs';
import { loadVisibleRun } from './visible-run';

/** Cancels a running run (its owner only); the run itself records the cancellation when it stops. */
export async function cancelRun(ctx: Ctx, runId: string): Promise<void> {
  await authorize(ctx, 'query.use');
  const row = await loadVisibleRun(ctx, runId);
  if (row.actorId !== actorId(ctx.actor)) throw new DomainError('forbidden', 'Only the person who started a run can cancel it.');
  if (row.status !== 'running') throw new DomainError('conflict', `The run has already ${row.status}.`);
  if (!cancelActiveRun(row.id)) throw new DomainError('conflict', 'The run is not executing in this portal process.');
}
