import 'server-only';
import { z } from 'zod';
import { authorize } from '@/lib/auth/authorize';
import type { Ctx } from '@/lib/context';
import { deletionDecisions } from '@/lib/db/schema/retention';
import { withTransaction } from '@/lib/db/tx';
import { DomainError, parseInput } from '@/lib/errors';
import { enqueueJob } from '@/lib/jobs/enqueue';
import { wakeWorkers } from '@/lib/jobs/wake';
import { appendJournal } from '@/lib/journal/append';
import { DELETION_JOB } from './job-kinds';
import { decisionsOf, expireRequest, lockRequest, setState } from './request-records';
import { checkApproval, refuse, validApprovals } from './state';
import { stepUp } from './step-up';

// Visible to every approver, but approving requires re-authenticating just before, not being the
// requester, not having decided already, and the manifest hash the approver reviewed. Approvals
// are counted under the request's row lock, so two at once are each counted exactly once; the
// second releases the executor.

export const ApproveDeletionInput = z.object({
  requestId: z.uuid('Not a deletion request.'),
  manifestSha256: z.string().regex(/^[0-9a-f]{64}$/, 'The manifest hash you reviewed (64 hex characters).'),
  password: z.string().max(1024).optional(),
  comment: z.string().trim().max(2000, 'At most 2000 characters.').optional(),
});

export type DecisionResultDto = { requestId: string; state: string; approvals: number; final: boolean };

export async function approveDeletionRequest(ctx: Ctx, raw: unknown): Promise<DecisionResultDto> {
  await authorize(ctx, 'retention.approve');
  const input = parseInput(ApproveDeletionInput, raw, { requestId: 'Request', manifestSha256: 'Manifest SHA-256', password: 'Password', comment: 'Comment' });
  if (ctx.actor.type !== 'user') throw new DomainError('forbidden', 'Only a signed-in person can approve.');
  const actor = ctx.actor;
  const proof = await stepUp(ctx, input.password || undefined);
  const outcome = await withTransaction(ctx, async (tx, txCtx) => {
    const request = await lockRequest(tx, input.requestId);
    const decisions = await decisionsOf(tx, [request.id]);
    const now = txCtx.now();
    const check = checkApproval(request, decisions, actor.userId, input.manifestSha256, now);
    if (!check.ok) {
      if (check.expire) {
        await expireRequest(tx, txCtx, request, decisions.find((d) => d.expiresAt && d.expiresAt <= now)!.expiresAt!);
        return { refused: check } as const;
      }
      refuse(check);
    }
    const days = ctx.services.env.CUSTOS_RETENTION_APPROVAL_DAYS;
    const inserted = await tx
      .insert(deletionDecisions)
      .values({
        requestId: request.id,
        userId: actor.userId,
        userLabel: actor.name ? `${actor.name} <${actor.email}>` : actor.email,
        decision: 'approve',
        manifestSha256: input.manifestSha256,
        stepUp: proof.method,
        stepUpAt: proof.at,
        comment: input.comment || null,
        decidedAt: now,
        expiresAt: new Date(now.getTime() + days * 86_400_000),
      })
      .onConflictDoNothing()
      .returning({ id: deletionDecisions.id });
    if (!inserted.length) throw new DomainError('conflict', 'You have already decided on this request.');
    const approvals = validApprovals(decisions, now).length + 1;
    const final = check.final;
    if (final) {
      await setState(tx, txCtx, request.id, 'approved');
      await enqueueJob(tx, txCtx, { kind: DELETION_JOB, subject: request.id, payload: { requestId: request.id }, maxAttempts: 5 });
    }
    await appendJournal(tx, txCtx, {
      action: 'retention_request.approve',
      subject: request.id,
      details: { manifestSha256: input.manifestSha256, stepUp: proof.method, approvals, final },
    });
    return { result: { requestId: request.id, state: final ? 'approved' : 'pending', approvals, final } } as const;
  });
  if ('refused' in outcome && outcome.refused) refuse(outcome.refused);
  if (outcome.result.final) wakeWorkers();
  return outcome.result;
}
