import { can } from '@/lib/auth/policy';
import type { Ctx } from '@/lib/context';
import type { QueryRunRow } from '@/lib/db/schema';
import type { RunReadSplit } from '@/lib/db/schema/runs';
import type { Cell, EngineColumn, LogCoverage } from '@/lib/engine/port';
import { engineErrorOf, phiDisplayOf } from './sealed-params';

export type RunDto = {
  id: string;
  queryId: string;
  queryTitle: string;
  status: QueryRunRow['status'];
  /** Opaque references for patient-identifying parameters (P-…, S-…). */
  parameters: Record<string, string>;
  /** The partial values behind them (last characters), for people who may read PHI; null otherwise. */
  phiParameters: Record<string, string> | null;
  /** The engine's own message for a failed run (it may echo data values): for people who may read PHI only. */
  engineError: string | null;
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
  /** What the logs cover of the run's window (no PHI, shown to everyone who may see the run); null when it reads no log table or ran before coverage was recorded. */
  coverage: LogCoverage | null;
  /** Days of the window read from the access index and from the raw logs (queries that read the index). */
  readSplit: RunReadSplit | null;
  durationMs: number | null;
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
  actorLabel: string;
  actorRole: string;
  rerunOf: string | null;
};

/** A run as the viewer may see it: patient-identifying parameters as opaque references, and their partial values only for people who may read PHI. */
export function toRunDto(ctx: Ctx, row: QueryRunRow): RunDto {
  return {
    phiParameters: can(ctx.actor, 'patient.read_phi') ? phiDisplayOf(ctx.services.keys, row) : null,
    engineError: can(ctx.actor, 'patient.read_phi') && row.status === 'failed' ? engineErrorOf(ctx.services.keys, row) : null,
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
    coverage: row.coverage ?? null,
    readSplit: row.readSplit ?? null,
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
