import type { QueryRunRow } from '@/lib/db/schema';
import type { Cell, EngineColumn } from '@/lib/engine/port';

export type RunDto = {
  id: string;
  queryId: string;
  queryTitle: string;
  status: QueryRunRow['status'];
  parameters: Record<string, string>;
  engine: string;
  engineExecutionId: string | null;
  sqlSha256: string;
  scope: { from: string; to: string } | null;
  estimatedBytes: number | null;
  bytesScanned: number | null;
  filesScanned: number | null;
  costUsd: number | null;
  rowCount: number | null;
  resultSha256: string | null;
  durationMs: number | null;
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
  actorLabel: string;
  actorRole: string;
  rerunOf: string | null;
};

export function toRunDto(row: QueryRunRow): RunDto {
  return {
    id: row.id,
    queryId: row.queryId,
    queryTitle: row.queryTitle,
    status: row.status,
    parameters: row.parameters,
    engine: row.engine,
    engineExecutionId: row.engineExecutionId,
    sqlSha256: row.sqlSha256,
    scope: row.scopeFrom && row.scopeTo ? { from: row.scopeFrom, to: row.scopeTo } : null,
    estimatedBytes: row.estimatedBytes,
    bytesScanned: row.bytesScanned,
    filesScanned: row.filesScanned,
    costUsd: row.costUsd,
    rowCount: row.rowCount,
    resultSha256: row.resultSha256,
    durationMs: row.durationMs,
    error: row.error,
    startedAt: row.startedAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
    actorLabel: row.actorLabel,
    actorRole: row.actorRole,
    rerunOf: row.rerunOf,
  };
}

export type ResultPageDto = { columns: EngineColumn[]; rows: Cell[][]; total: number; offset: number; limit: number };
