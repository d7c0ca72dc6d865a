import 'server-only';
import { and, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { actorId, actorLabel } from '@/lib/actor';
import { authorize } from '@/lib/auth/authorize';
import type { Ctx } from '@/lib/context';
import { legalHolds } from '@/lib/db/schema/retention';
import { withTransaction } from '@/lib/db/tx';
import { DomainError, notFoundError, parseInput } from '@/lib/errors';
import { appendJournal } from '@/lib/journal/append';
import { readCatalogStudies } from './study-facts';

// A legal hold keeps a study out of every deletion request (and stops one already approved at
// execution) until the privacy officer lifts it, with a reason, both journaled.

export const PlaceLegalHoldInput = z.object({
  study: z.string().trim().regex(/^[0-9]+(\.[0-9]+)*$/, 'A Study Instance UID: digits separated by dots.').max(64, 'At most 64 characters.'),
  reason: z.string().trim().min(10, 'Say why, in at least 10 characters (the matter, the request, the case).').max(1000, 'At most 1000 characters.'),
});

export type LegalHoldDto = { id: string; studyInstanceUid: string; reason: string; placedBy: string; placedAt: string; liftedBy: string | null; liftedAt: string | null; liftReason: string | null };

export function toLegalHoldDto(row: typeof legalHolds.$inferSelect): LegalHoldDto {
  return {
    id: row.id,
    studyInstanceUid: row.studyInstanceUid,
    reason: row.reason,
    placedBy: row.placedByLabel,
    placedAt: row.placedAt.toISOString(),
    liftedBy: row.liftedByLabel,
    liftedAt: row.liftedAt?.toISOString() ?? null,
    liftReason: row.liftReason,
  };
}

export async function placeLegalHold(ctx: Ctx, raw: unknown): Promise<LegalHoldDto> {
  await authorize(ctx, 'retention.hold');
  const input = parseInput(PlaceLegalHoldInput, raw, { study: 'Study', reason: 'Reason' });
  const [study] = await readCatalogStudies(ctx.services.engine, [input.study]);
  if (!study) throw notFoundError('The study');
  return withTransaction(ctx, async (tx, txCtx) => {
    const [held] = await tx
      .select({ id: legalHolds.id })
      .from(legalHolds)
      .where(and(eq(legalHolds.studyInstanceUid, input.study), isNull(legalHolds.liftedAt)))
      .for('update');
    if (held) throw new DomainError('conflict', 'The study is already on legal hold.');
    const [row] = await tx
      .insert(legalHolds)
      .values({ studyInstanceUid: input.study, reason: input.reason, placedBy: actorId(ctx.actor), placedByLabel: actorLabel(ctx.actor), placedAt: txCtx.now() })
      .onConflictDoNothing()
      .returning();
    if (!row) throw new DomainError('conflict', 'The study is already on legal hold.');
    await appendJournal(tx, txCtx, { action: 'retention.hold_placed', subject: row.id, details: { study: ctx.services.keys.pseudonym('study', input.study) } });
    return toLegalHoldDto(row);
  });
}
