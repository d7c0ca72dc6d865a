import 'server-only';
import { z } from 'zod';
import { actorId } from '@/lib/actor';
import { authorize } from '@/lib/auth/authorize';
import type { Ctx } from '@/lib/context';
import { withTransaction } from '@/lib/db/tx';
import { parseInput } from '@/lib/errors';
import { appendJournal } from '@/lib/journal/append';
import type { DecisionResultDto } from './approve-deletion-request';
import { lockRequest, setState } from './request-records';
import { checkWithdrawal, refuse, transition } from './state';

// The requester may withdraw the request until its execution starts (the executor moves it to
// `executing` under the same row lock, so one of the two wins, never both).

export const WithdrawDeletionInput = z.object({
  requestId: z.uuid('Not a deletion request.'),
  reason: z.string().trim().min(5, 'Say why you withdraw it.').max(2000, 'At most 2000 characters.'),
});

export async function withdrawDeletionRequest(ctx: Ctx, raw: unknown): Promise<DecisionResultDto> {
  await authorize(ctx, 'retention.request');
  const input = parseInput(WithdrawDeletionInput, raw, { requestId: 'Request', reason: 'Reason' });
  return withTransaction(ctx, async (tx, txCtx) => {
    const request = await lockRequest(tx, input.requestId);
    const check = checkWithdrawal(request, actorId(ctx.actor));
    if (!check.ok) refuse(check);
    await setState(tx, txCtx, request.id, transition('withdraw', request.state), { stateReason: `Withdrawn by the requester: ${input.reason}`, finishedAt: txCtx.now() });
    await appendJournal(tx, txCtx, { action: 'retention_request.withdraw', subject: request.id, details: { from: request.state } });
    return { requestId: request.id, state: 'withdrawn', approvals: 0, final: true };
  });
}
