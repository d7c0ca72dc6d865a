import 'server-only';
import { z } from 'zod';
import { actorId } from '@/lib/actor';
import { authorizeQuery } from '@/lib/auth/authorize';
import { can } from '@/lib/auth/policy';
import type { Ctx } from '@/lib/context';
import { queryRuns, type QueryRunRow } from '@/lib/db/schema';
import { eq } from 'drizzle-orm';
import { DomainError, notFoundError } from '@/lib/errors';
import { findQuery } from './registry';

/** A run the actor may see, or NotFound (never a hint that someone else's run exists). */
export async function loadVisibleRun(ctx: Ctx, runId: string): Promise<QueryRunRow> {
  if (!z.string().uuid().safeParse(runId).success) throw notFoundError('The run');
  const [row] = await ctx.db.select().from(queryRuns).where(eq(queryRuns.id, runId));
  if (!row) throw notFoundError('The run');
  if (!can(ctx.actor, 'runs.view_all') && row.actorId !== actorId(ctx.actor)) throw notFoundError('The run');
  return row;
}

/** Result rows are as sensitive as the query: only roles that may run it may read them. */
export async function requireResultAccess(ctx: Ctx, row: QueryRunRow): Promise<void> {
  const query = findQuery(row.queryId);
  if (!query) throw notFoundError('The saved query of this run');
  await authorizeQuery(ctx, query.id, query.roles);
  if (row.resultPurgedAt) {
    throw new DomainError('precondition', `The result of this run was purged on ${row.resultPurgedAt.toISOString().slice(0, 10)}, after the portal's retention of results; its hash stays in the ledger. Re-run the query to see the rows.`);
  }
  if (row.status !== 'succeeded' || !ctx.services.results.exists(row.id)) {
    throw new DomainError(
      'precondition',
      row.status === 'succeeded'
        ? 'The result of this run is no longer stored.'
        : `The run ${row.status === 'running' ? 'is still running' : `has no result (${row.status})`}.`,
    );
  }
}
