import 'server-only';
import { desc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { actorId } from '@/lib/actor';
import { authorize, authorizeQuery } from '@/lib/auth/authorize';
import { can, canRunQuery } from '@/lib/auth/policy';
import type { Ctx } from '@/lib/context';
import { postureRefreshes, queryRuns, type QueryRunRow } from '@/lib/db/schema';
import { withTransaction } from '@/lib/db/tx';
import { DomainError, notFoundError, parseInput } from '@/lib/errors';
import { appendJournal } from '@/lib/journal/append';
import { exportFile } from '@/lib/queries/export-run';
import { findQuery } from '@/lib/queries/registry';
import { toRunDto, type ResultPageDto, type RunDto } from '@/lib/queries/run-dto';
import { PageInput } from '@/lib/queries/run-filters';
import { FIGURES, type FigureKey } from './figures';

// The runs behind the posture dashboards, for the people who read the dashboards: each figure
// links here, to its run's provenance (query, SQL and result SHA-256, parameters, engine, coverage)
// and rows. The portal's own job records them, so the run ledger's "one's own runs" rule would hide
// them from a security officer; posture viewers see exactly the runs a refresh recorded, and their
// rows only when their role may run the query. Reading or exporting rows is journaled.

export type PostureRunDto = {
  run: RunDto;
  figure: { key: FigureKey | null; refreshId: string; from: string; to: string };
  /** The rows (a page), null when the viewer's role may not read them or the run has none. */
  page: ResultPageDto | null;
  rowsVisible: boolean;
  /** The viewer may open it in the run ledger too (re-run, compare, every export format). */
  inLedger: boolean;
};

/** The latest refresh that recorded the run, or not found. */
async function postureRunOf(ctx: Ctx, runId: string): Promise<{ row: QueryRunRow; refresh: { id: string; from: string; to: string; key: FigureKey | null } }> {
  if (!z.string().uuid().safeParse(runId).success) throw notFoundError('The run');
  const [refresh] = await ctx.db
    .select({ id: postureRefreshes.id, from: postureRefreshes.windowFrom, to: postureRefreshes.windowTo, runs: postureRefreshes.runs })
    .from(postureRefreshes)
    .where(sql`EXISTS (SELECT 1 FROM jsonb_each_text(${postureRefreshes.runs}) e WHERE e.value = ${runId})`)
    .orderBy(desc(postureRefreshes.requestedAt))
    .limit(1);
  if (!refresh) throw notFoundError('The run');
  const [row] = await ctx.db.select().from(queryRuns).where(eq(queryRuns.id, runId));
  if (!row) throw notFoundError('The run');
  const key = (Object.entries(refresh.runs).find(([, id]) => id === runId)?.[0] ?? null) as FigureKey | null;
  return { row, refresh: { id: refresh.id, from: refresh.from, to: refresh.to, key: key && key in FIGURES ? key : null } };
}

function rowsReadable(ctx: Ctx, row: QueryRunRow): boolean {
  const query = findQuery(row.queryId);
  return Boolean(query) && canRunQuery(ctx.actor, query!.roles) && row.status === 'succeeded' && !row.resultPurgedAt && ctx.services.results.exists(row.id);
}

export async function getPostureRun(ctx: Ctx, runId: string, raw: unknown): Promise<PostureRunDto> {
  await authorize(ctx, 'posture.view');
  const { row, refresh } = await postureRunOf(ctx, runId);
  const input = parseInput(PageInput, raw ?? {});
  const rowsVisible = rowsReadable(ctx, row);
  let page: ResultPageDto | null = null;
  if (rowsVisible) {
    const columns = await ctx.services.results.columns(row.id);
    const sort = input.sort && columns.some((c) => c.name === input.sort) ? { column: input.sort, direction: input.dir } : undefined;
    const got = await ctx.services.results.page(row.id, { offset: input.offset, limit: input.limit, sort });
    page = { ...got, offset: input.offset, limit: input.limit };
    if (row.actorId !== actorId(ctx.actor)) {
      await withTransaction(ctx, (tx, txCtx) =>
        appendJournal(tx, txCtx, { action: 'query.view_results', subject: row.id, details: { queryId: row.queryId, offset: input.offset, rows: got.rows.length } }),
      );
    }
  }
  return {
    run: toRunDto(ctx, row),
    figure: { key: refresh.key, refreshId: refresh.id, from: refresh.from, to: refresh.to },
    page,
    rowsVisible,
    inLedger: can(ctx.actor, 'runs.view_all') || row.actorId === actorId(ctx.actor),
  };
}

const ExportInput = z.object({ runId: z.string({ error: 'name a run' }).max(64), format: z.enum(['csv', 'json'], { error: 'choose csv or json' }) });

/** The most rows handed back in one export from the dashboards (their results are aggregates). */
const EXPORT_MAX_ROWS = 100_000;

/** A posture run's rows as a file (CSV or the CLI's JSON), after the stored rows were hashed again; journaled. */
export async function exportPostureRun(ctx: Ctx, raw: unknown): Promise<{ filename: string; contentType: string; text: string }> {
  await authorize(ctx, 'posture.view');
  const { runId, format } = parseInput(ExportInput, raw, { runId: 'Run', format: 'Format' });
  const { row } = await postureRunOf(ctx, runId);
  const query = findQuery(row.queryId);
  if (!query) throw notFoundError('The saved query of this run');
  await authorizeQuery(ctx, query.id, query.roles);
  if (!rowsReadable(ctx, row)) throw new DomainError('precondition', 'This run has no stored rows to export (it did not succeed, or its result was purged): refresh the dashboards.');
  if ((row.rowCount ?? 0) > EXPORT_MAX_ROWS) {
    throw new DomainError('limit', `This run has ${row.rowCount!.toLocaleString('en-US')} rows, more than the dashboards export at once; export it from the run ledger.`);
  }
  // the stored rows are hashed again first: a mismatch is refused and journaled as such, not as an export
  const file = await exportFile(ctx, row, format);
  let text = '';
  for await (const chunk of file.body) text += chunk;
  await withTransaction(ctx, (tx, txCtx) =>
    appendJournal(tx, txCtx, { action: 'query.export', subject: row.id, details: { queryId: row.queryId, format, rowCount: row.rowCount ?? 0 } }),
  );
  return { filename: file.filename, contentType: file.contentType, text };
}
