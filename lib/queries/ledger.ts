import 'server-only';
import { and, count, desc, eq, gte, ilike, lt, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { actorId } from '@/lib/auth/actor';
import { authorize, authorizeQuery } from '@/lib/auth/authorize';
import { can, canRunQuery } from '@/lib/auth/policy';
import type { Ctx } from '@/lib/context';
import { queryRuns, type QueryRunRow } from '@/lib/db/schema';
import { DomainError, ValidationError, notFound } from '@/lib/errors';
import { isActive, runProgress } from './active-runs';
import { toRunDto, type ResultPageDto, type RunDto } from './dto';
import { isCalendarDate, nextDay } from './params';
import { findQuery } from './registry';
import { withTransaction } from '@/lib/db/tx';
import { appendJournal } from '@/lib/journal/append';
import { isAccessResult } from './access-columns';

export const RunFilter = z.object({
  user: z.string().trim().max(254).optional(),
  queryId: z.string().trim().max(100).optional(),
  status: z.enum(['running', 'succeeded', 'failed', 'cancelled']).optional(),
  from: z.string().refine(isCalendarDate, 'enter a date as YYYY-MM-DD').optional(),
  to: z.string().refine(isCalendarDate, 'enter a date as YYYY-MM-DD').optional(),
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type RunFilter = z.input<typeof RunFilter>;

function parseOrThrow<T>(schema: z.ZodType<T>, raw: unknown): T {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const fieldErrors: Record<string, string> = {};
  for (const issue of parsed.error.issues) fieldErrors[String(issue.path[0] ?? 'input')] ??= issue.message;
  throw new ValidationError(Object.entries(fieldErrors).map(([k, v]) => `${k}: ${v}`).join('; '), fieldErrors);
}

/** The ledger as the actor may see it: everyone's runs with runs.view_all, otherwise their own. */
export async function listRuns(ctx: Ctx, raw: unknown): Promise<{ runs: RunDto[]; total: number }> {
  await authorize(ctx, 'query.use');
  const filter = parseOrThrow(RunFilter, raw ?? {});
  const where: SQL[] = [];
  if (!can(ctx.actor, 'runs.view_all')) where.push(eq(queryRuns.actorId, actorId(ctx.actor)));
  if (filter.user) where.push(ilike(queryRuns.actorLabel, `%${filter.user.replace(/[\\%_]/g, (c) => `\\${c}`)}%`));
  if (filter.queryId) where.push(eq(queryRuns.queryId, filter.queryId));
  if (filter.status) where.push(eq(queryRuns.status, filter.status));
  if (filter.from) where.push(gte(queryRuns.startedAt, new Date(`${filter.from}T00:00:00Z`)));
  if (filter.to) where.push(lt(queryRuns.startedAt, new Date(`${nextDay(filter.to)}T00:00:00Z`)));
  const condition = where.length ? and(...where) : undefined;
  const rows = await ctx.db
    .select()
    .from(queryRuns)
    .where(condition)
    .orderBy(desc(queryRuns.startedAt))
    .limit(filter.limit)
    .offset(filter.offset);
  const [total] = await ctx.db.select({ n: count() }).from(queryRuns).where(condition);
  return { runs: rows.map(toRunDto), total: total?.n ?? 0 };
}

/** A run the actor may see, or NotFound (never a hint that someone else's run exists). */
export async function loadVisibleRun(ctx: Ctx, runId: string): Promise<QueryRunRow> {
  if (!z.string().uuid().safeParse(runId).success) throw notFound('The run');
  const [row] = await ctx.db.select().from(queryRuns).where(eq(queryRuns.id, runId));
  if (!row) throw notFound('The run');
  if (!can(ctx.actor, 'runs.view_all') && row.actorId !== actorId(ctx.actor)) throw notFound('The run');
  return row;
}

export type RunDetailDto = RunDto & {
  progress: { state: string; percent?: number; rowsFetched?: number; bytesScanned?: number; elapsedMs: number } | null;
  executing: boolean;
  canViewResults: boolean;
  ownedByViewer: boolean;
  exportFormats: ('csv' | 'json' | 'fhir')[];
};

export async function getRun(ctx: Ctx, runId: string): Promise<RunDetailDto> {
  await authorize(ctx, 'query.use');
  const row = await loadVisibleRun(ctx, runId);
  const query = findQuery(row.queryId);
  const canViewResults = Boolean(query) && canRunQuery(ctx.actor, query!.roles) && row.status === 'succeeded' && ctx.services.results.exists(row.id);
  const exportFormats: RunDetailDto['exportFormats'] = canViewResults ? ['csv', 'json'] : [];
  if (canViewResults && isAccessResult(await ctx.services.results.columns(row.id))) exportFormats.push('fhir');
  return {
    ...toRunDto(row),
    progress: runProgress(row.id),
    executing: isActive(row.id),
    canViewResults,
    ownedByViewer: row.actorId === actorId(ctx.actor),
    exportFormats,
  };
}

/** Result rows are as sensitive as the query: only roles that may run it may read them. */
export async function requireResultAccess(ctx: Ctx, row: QueryRunRow): Promise<void> {
  const query = findQuery(row.queryId);
  if (!query) throw notFound('The saved query of this run');
  await authorizeQuery(ctx, query.id, query.roles);
  if (row.status !== 'succeeded' || !ctx.services.results.exists(row.id)) {
    throw new DomainError('precondition', row.status === 'succeeded' ? 'The result of this run is no longer stored.' : `The run ${row.status === 'running' ? 'is still running' : `has no result (${row.status})`}.`);
  }
}

export const PageInput = z.object({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  sort: z.string().max(200).optional(),
  dir: z.enum(['asc', 'desc']).default('asc'),
});

export async function getRunResults(ctx: Ctx, runId: string, raw: unknown): Promise<ResultPageDto> {
  await authorize(ctx, 'query.use');
  const row = await loadVisibleRun(ctx, runId);
  await requireResultAccess(ctx, row);
  const input = parseOrThrow(PageInput, raw ?? {});
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
