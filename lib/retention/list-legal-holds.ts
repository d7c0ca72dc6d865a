import 'server-only';
import { desc, isNull } from 'drizzle-orm';
import { authorize } from '@/lib/auth/authorize';
import type { Ctx } from '@/lib/context';
import { legalHolds } from '@/lib/db/schema/retention';
import { toLegalHoldDto, type LegalHoldDto } from './place-legal-hold';

/** Active holds first, then lifted ones (most recent first): study UIDs, for the roles that hold them. */
export async function listLegalHolds(ctx: Ctx, options: { activeOnly?: boolean } = {}): Promise<LegalHoldDto[]> {
  await authorize(ctx, 'retention.hold');
  const rows = await ctx.db
    .select()
    .from(legalHolds)
    .where(options.activeOnly ? isNull(legalHolds.liftedAt) : undefined)
    .orderBy(desc(legalHolds.placedAt))
    .limit(500);
  return rows.map(toLegalHoldDto).sort((a, b) => Number(a.liftedAt !== null) - Number(b.liftedAt !== null));
}
