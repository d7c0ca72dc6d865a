import 'server-only';
import { z } from 'zod';
import { authorize } from '@/lib/auth/authorize';
import type { Ctx } from '@/lib/context';
import { deletionDecisions } from '@/lib/db/schema/retention';
import { withTransaction } from '@/lib/db/tx';
import { DomainError, parseInput } from '@/lib/errors';
import { appendJournal } from '@/lib/journal/append';
import type { DecisionResultDto } from './approve-deletion-request';
import { decisionsOf, expireRequest, lockRequest, setState } from './request-records';
import { checkRejection, refuse, transition } from './state';

// Any one rejection ends the request: nothing of it will be deleted; its studies are free for a
// later request. A rejection needs no step-up (it can only prevent a deletion) but a reason.

export const RejectDeletionInput = z.object({
  requestId: z.uuid('Not a deletion request.'),
  comment: z.string().trim().min(5, 'Say why you reject it.').max(2000, 'At most 2000 characters.'),
});

export async function rejectDeletionRequest(ctx: Ctx, raw: unknown): Promise<DecisionResultDto> {
  await authorize(ctx, 'retention.approve');
  const input = parseInput(RejectDeletionInput, raw, { requestId: 'Request', comment: 'Reason' });
  if (ctx.actor.type !== 'user') throw new DomainError('forbidden', 'Only a signed-in person can reject.');
  const actor = ctx.actor;
  const outcome = await withTransaction(ctx, async (tx, txCtx) => {
    const request = await lockRequest(tx, input.requestId);
    const decisions = await decisionsOf(tx, [request.id]);
    const now = txCtx.now();
    const check = checkRejection(request, decisions, actor.userId, now);
    if (!check.ok) {
      if (check.expire) {
        await expireRequest(tx, txCtx, request, decisions.find((d) => d.expiresAt && d.expiresAt <= now)!.expiresAt!);
        return { refused: check } as const;
      }
      refuse(check);
    }
    await tx.insert(deletionDecisions).values({
      requestId: request.id,
      userId: actor.userId,
      userLabel: actor.name ? `${actor.name} <${actor.email}>` : actor.email,
      decision: 'reject',
      manifestSha256: request.manifestSha256,
      comment: input.comment,
      decidedAt: now,
    });
    await setState(tx, txCtx, request.id, transition('reject', request.state), { stateReason: `Rejected by ${actor.email}: ${input.comment}`, finishedAt: now });
    await appendJournal(tx, txCtx, { action: 'retention_request.reject', subject: request.id, details: { manifestSha256: request.manifestSha256 } });
    return { result: { requestId: request.id, state: 'rejected', approvals: 0, final: true } } as const;
  });
  if ('refused' in outcome && outcome.refused) refuse(outcome.refused);
  return outcome.result;
}
