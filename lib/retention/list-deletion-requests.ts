import 'server-only';
import { desc } from 'drizzle-orm';
import { authorize } from '@/lib/auth/authorize';
import type { Ctx } from '@/lib/context';
import { deletionRequests } from '@/lib/db/schema/retention';
import { toSummaryDto, type RequestSummaryDto } from './request-dto';
import { decisionsOf } from './request-records';

/** Requests, newest first (the 500 latest), each in the state a reader should see (a lapsed approval reads as expired). */
export async function listDeletionRequests(ctx: Ctx): Promise<RequestSummaryDto[]> {
  await authorize(ctx, 'retention.view');
  const rows = await ctx.db.select().from(deletionRequests).orderBy(desc(deletionRequests.requestedAt)).limit(500);
  const decisions = await decisionsOf(ctx.db, rows.map((r) => r.id));
  return rows.map((r) =>
    toSummaryDto(
      r,
      decisions.filter((d) => d.requestId === r.id),
      ctx,
    ),
  );
}
