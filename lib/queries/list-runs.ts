import 'server-only';
import { and, count, desc, eq, gte, ilike, lt, type SQL } from 'drizzle-orm';
import { actorId } from '@/lib/actor';
import { authorize } from '@/lib/auth/authorize';
import { can } from '@/lib/auth/policy';
import type { Ctx } from '@/lib/context';
import { nextDay } from '@/lib/days';
import { queryRuns } from '@/lib/db/schema';
import { parseInput } from '@/lib/errors';
import { RunFilter } from './run-filters';
import { toRunDto, type RunDto } from './run-dto';


/** The ledger as the actor may see it: everyone's runs with runs.view_all, otherwise their own. */
export async function listRuns(ctx: Ctx, raw: unknown): Promise<{ runs: RunDto[]; total: number }> {
  await authorize(ctx, 'query.use');
  const filter = parseInput(RunFilter, raw ?? {});
  const where: SQL[] = [];
  if (!can(ctx.actor, 'runs.view_all')) where.push(eq(queryRuns.actorId, actorId(ctx.actor)));
  if (filter.user) where.push(ilike(queryRuns.actorLabel, `%${filter.user.replace(/[\\%_]/g, (c) => `\\${c}`)}%`));
  if (filter.queryId) where.push(eq(queryRuns.queryId, filter.queryId));
  if (filter.status) where.push(eq(queryRuns.status, filter.status));
  if (filter.from) where.push(gte(queryRuns.startedAt, new Date(`${filter.from}T00:00:00Z`)));
  if (filter.to) where.push(lt(queryRuns.startedAt, new Date(`${nextDay(filter.to)}T00:00:00Z`)));
  const condition = where.length ? and(...where) : undefined;
  const rows = await ctx.db.select().from(queryRuns).where(condition).orderBy(desc(queryRuns.startedAt)).limit(filter.limit).offset(filter.offset);
  const [total] = await ctx.db.select({ n: count() }).from(queryRuns).where(condition);
  return { runs: rows.map((row) => toRunDto(ctx, row)), total: total?.n ?? 0 };
}
