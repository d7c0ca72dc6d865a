import 'server-only';
import { can } from '@/lib/auth/policy';
import type { Ctx } from '@/lib/context';
import type { QueryRunRow } from '@/lib/db/schema';
import { withTransaction } from '@/lib/db/tx';
import type { EngineColumn } from '@/lib/engine/port';
import { DomainError } from '@/lib/errors';
import { appendJournal } from '@/lib/journal/append';
import type { ColumnKind as QueryColumnKind, SavedQuery } from '@/lib/queries/definition';
import { phiDisplayOf } from '@/lib/queries/sealed-params';
import type { ColumnDto, QueryRunReportDto, ReportHeader } from './render';
import { coverageOf, GENERAL_LIMITS, integrityFor, sourcesOf } from './report-scope';

// A run's facts as its report prints them, cut to what the viewer may see: parameters as the run
// page shows them (patient identifiers as references, their partial values only for people who
// may read PHI), the rows as stored, each column as the saved query describes it.

const KIND: Partial<Record<QueryColumnKind, ColumnDto['kind']>> = {
  number: 'number',
  duration: 'number',
  usd: 'number',
  bytes: 'bytes',
  time: 'time',
  date: 'date',
  id: 'id',
  arn: 'id',
  patient: 'id',
};

const TYPE_KIND: Partial<Record<EngineColumn['type'], ColumnDto['kind']>> = { bigint: 'number', integer: 'number', double: 'number', date: 'date', timestamp: 'time' };

export function describeColumns(query: SavedQuery, columns: EngineColumn[]): ColumnDto[] {
  const meta = new Map(query.columns.map((c) => [c.name, c]));
  return columns.map((c) => {
    const m = meta.get(c.name);
    return { name: c.name, label: m?.label ?? c.name, description: m?.description ?? '', kind: (m?.kind && KIND[m.kind]) ?? TYPE_KIND[c.type] ?? 'text' };
  });
}

/** Parameters by their labels, values as the viewer may see them. */
export function parametersOf(ctx: Ctx, query: SavedQuery, row: QueryRunRow): { label: string; value: string }[] {
  const partial = can(ctx.actor, 'patient.read_phi') ? phiDisplayOf(ctx.services.keys, row) : {};
  const labels = new Map(query.params.map((p) => [p.name, p.label]));
  const names = [...query.params.map((p) => p.name).filter((n) => n in row.parameters), ...Object.keys(row.parameters).filter((n) => !labels.has(n))];
  return names.map((name) => {
    const value = row.parameters[name]!;
    return { label: labels.get(name) ?? name, value: partial[name] ? `${value} (${partial[name]})` : value };
  });
}

export const windowOf = (row: QueryRunRow) => (row.scopeFrom && row.scopeTo ? { from: row.scopeFrom, to: row.scopeTo } : null);

// mutation-path: journals a refusal for the verb that asked for the report, which has authorized.
/**
 * The stored rows hashed again and found to be what the ledger recorded; otherwise the report is
 * refused (journaled), as an export would be.
 */
export async function assertStoredResult(ctx: Ctx, row: QueryRunRow): Promise<void> {
  const stored = await ctx.services.results.verify(row.id);
  if (stored.sha256 === row.resultSha256) return;
  await withTransaction(ctx, (tx, txCtx) =>
    appendJournal(tx, txCtx, { action: 'query.export_refused', subject: row.id, details: { queryId: row.queryId, format: 'pdf', reason: 'result_hash_mismatch' } }),
  );
  throw new DomainError('precondition', 'The stored result of this run no longer matches the SHA-256 its run recorded, so no report is made from it. The refusal is journaled; re-run the query.');
}

export function runBy(row: QueryRunRow): string {
  return row.actorRole && row.actorRole !== 'null' ? `${row.actorLabel} (${row.actorRole.replaceAll('_', ' ')})` : row.actorLabel;
}

export async function queryRunReportDto(ctx: Ctx, query: SavedQuery, row: QueryRunRow, header: ReportHeader): Promise<QueryRunReportDto> {
  const { results } = ctx.services;
  const window = windowOf(row);
  return {
    ...header,
    scope: {
      sources: sourcesOf(query.tables),
      window,
      coverage: coverageOf(row.coverage),
      integrity: await integrityFor(ctx, query.tables, window),
      doesNotProve: [...(query.limits ? [query.limits.trim()] : []), ...GENERAL_LIMITS],
    },
    query: { id: query.id, title: row.queryTitle, description: query.description.trim(), limits: query.limits?.trim() ?? null, sqlSha256: row.sqlSha256 },
    parameters: parametersOf(ctx, query, row),
    run: {
      id: row.id,
      engine: row.engine,
      executionId: row.engineExecutionId,
      bytesScanned: row.bytesScanned,
      filesScanned: row.filesScanned,
      runBy: runBy(row),
      runAt: row.startedAt.toISOString(),
      finishedAt: row.finishedAt?.toISOString() ?? null,
      durationMs: row.durationMs,
      rowCount: row.rowCount ?? 0,
      resultSha256: row.resultSha256 ?? '',
    },
    columns: describeColumns(query, await results.columns(row.id)),
    rows: results.rows(row.id),
  };
}
