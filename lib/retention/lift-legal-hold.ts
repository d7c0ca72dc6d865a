import 'server-only';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { actorId, actorLabel } from '@/lib/actor';
import { authorize } from '@/lib/auth/authorize';
import type { Ctx } from '@/lib/context';
import { legalHolds } from '@/lib/db/schema/retention';
import { withTransaction } from '@/lib/db/tx';
import { DomainError, notFoundError, parseInput } from '@/lib/errors';
import { appendJournal } from '@/lib/journal/append';
import { toLegalHoldDto, type LegalHoldDto } from './place-legal-hold';

export const LiftLegalHoldInput = z.object({
  holdId: z.uuid('Not a hold.'),
  reason: z.string().trim().min(10, 'Say why the hold ends, in at least 10 characters.').max(1000, 'At most 1000 characters.'),
});

/** Lifts an active hold; the record of it stays. */
export async function liftLegalHold(ctx: Ctx, raw: unknown): Promise<LegalHoldDto> {
  await authorize(ctx, 'retention.hold');
  const input = parseInput(LiftLegalHoldInput, raw, { holdId: 'Hold', reason: 'Reason' });
  return withTransaction(ctx, async (tx, txCtx) => {
    const [hold] = await tx.select().from(legalHolds).where(eq(legalHolds.id, input.holdId)).for('update');
    if (!hold) throw notFoundError('The legal hold');
    if (hold.liftedAt) throw new DomainError('conflict', 'The legal hold was already lifted.');
    const [row] = await tx
      .update(legalHolds)
      .set({ liftedAt: txCtx.now(), liftedBy: actorId(ctx.actor), liftedByLabel: actorLabel(ctx.actor), liftReason: input.reason })
      .where(eq(legalHolds.id, hold.id))
      .returning();
    await appendJournal(tx, txCtx, { action: 'retention.hold_lifted', subject: hold.id, details: { study: ctx.services.keys.pseudonym('study', hold.studyInstanceUid) } });
    return toLegalHoldDto(row!);
  });
}
