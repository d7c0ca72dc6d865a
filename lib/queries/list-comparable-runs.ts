import 'server-only';
import { and, desc, eq, lt, sql } from 'drizzle-orm';
import { actorId } from '@/lib/actor';
import { authorize } from '@/lib/auth/authorize';
import { can } from '@/lib/auth/policy';
import type { Ctx } from '@/lib/context';
import { queryRuns } from '@/lib/db/schema';
import { toRunDto, type RunDto } from './run-dto';
import { loadVisibleRun } from './visible-run';

/**
 * Earlier successful runs that asked exactly the same question: the same saved query with the same
 * parameters (patient parameters compare by their opaque reference). Only these can show whether
 * the answer changed; a run with other parameters answers another question.
 */
export async function listComparableRuns(ctx: Ctx, runId: string, limit = 10): Promise<RunDto[]> {
  await authorize(ctx, 'query.use');
  const run = await loadVisibleRun(ctx, runId);
  const rows = await ctx.db
    .select()
    .from(queryRuns)
    .where(
      and(
        eq(queryRuns.queryId, run.queryId),
        eq(queryRuns.status, 'succeeded'),
        lt(queryRuns.startedAt, run.startedAt),
        sql`${queryRuns.parameters} = ${JSON.stringify(run.parameters)}::jsonb`,
        can(ctx.actor, 'runs.view_all') ? undefined : eq(queryRuns.actorId, actorId(ctx.actor)),
      ),
    )
    .orderBy(desc(queryRuns.startedAt))
    .limit(limit);
  return rows.map((row) => toRunDto(ctx, row));
}
