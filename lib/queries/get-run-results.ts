import 'server-only';
import { actorId } from '@/lib/actor';
import { authorize } from '@/lib/auth/authorize';
import type { Ctx } from '@/lib/context';
import { withTransaction } from '@/lib/db/tx';
import { parseInput } from '@/lib/errors';
import { appendJournal } from '@/lib/journal/append';
import type { ResultPageDto } from './run-dto';
import { PageInput } from './run-filters';
import { loadVisibleRun, requireResultAccess } from './visible-run';


export async function getRunResults(ctx: Ctx, runId: string, raw: unknown): Promise<ResultPageDto> {
  await authorize(ctx, 'query.use');
  const row = await loadVisibleRun(ctx, runId);
  await requireResultAccess(ctx, row);
  const input = parseInput(PageInput, raw ?? {});
  const columns = await ctx.services.results.columns(row.id);
  const sort = input.sort && columns.some((c) => c.name === input.sort) ? { column: input.sort, direction: input.dir } : undefined;
  const page = await ctx.services.results.page(row.id, { offset: input.offset, limit: input.limit, sort });
  // Someone reading another person's result is a disclosure of its own; the owner's reads are
  // covered by the run's entry.
  if (row.actorId !== actorId(ctx.actor)) {
    await withTransaction(ctx, (tx, txCtx) =>
      appendJournal(tx, txCtx, { action: 'query.view_results', subject: row.id, details: { queryId: row.queryId, offset: input.offset, rows: page.rows.length } }),
    );
  }
  return { ...page, offset: input.offset, limit: input.limit };
}
