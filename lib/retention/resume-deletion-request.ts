import 'server-only';
import { and, eq, ne } from 'drizzle-orm';
import { z } from 'zod';
import { authorize } from '@/lib/auth/authorize';
import type { Ctx } from '@/lib/context';
import { deletionItems } from '@/lib/db/schema/retention';
import { withTransaction } from '@/lib/db/tx';
import { DomainError, parseInput } from '@/lib/errors';
import { enqueueJob } from '@/lib/jobs/enqueue';
import { wakeWorkers } from '@/lib/jobs/wake';
import { appendJournal } from '@/lib/journal/append';
import { DELETION_JOB } from './job-kinds';
import { lockRequest, setState } from './request-records';
import { STATE_LABELS, transition } from './state';

export const ResumeDeletionInput = z.object({ requestId: z.uuid('Not a deletion request.') });

/** A failed execution runs again from where it stopped (items done stay done); it re-checks holds first. */
export async function resumeDeletionRequest(ctx: Ctx, raw: unknown): Promise<{ requestId: string; state: string }> {
  await authorize(ctx, 'retention.request');
  const { requestId } = parseInput(ResumeDeletionInput, raw, { requestId: 'Request' });
  const result = await withTransaction(ctx, async (tx, txCtx) => {
    const request = await lockRequest(tx, requestId);
    // an execution in progress is never doubled: only one that stopped may be resumed
    if (request.state !== 'failed') throw new DomainError('conflict', `This request is ${STATE_LABELS[request.state].toLowerCase()}: only a stopped execution can be resumed.`);
    const state = transition('resume', request.state);
    const left = await tx
      .select({ seq: deletionItems.seq })
      .from(deletionItems)
      .where(and(eq(deletionItems.requestId, requestId), ne(deletionItems.state, 'deleted'), ne(deletionItems.state, 'gone')));
    await setState(tx, txCtx, requestId, state, { stateReason: null });
    await enqueueJob(tx, txCtx, { kind: DELETION_JOB, subject: requestId, payload: { requestId }, maxAttempts: 5 });
    await appendJournal(tx, txCtx, { action: 'retention_request.resume', subject: requestId, details: { remaining: left.length } });
    return { requestId, state };
  });
  wakeWorkers();
  return result;
}
