import 'server-only';
import { authorize } from '@/lib/auth/authorize';
import type { Ctx } from '@/lib/context';
import type { QueryRunRow } from '@/lib/db/schema';
import { withTransaction } from '@/lib/db/tx';
import type { Cell, EngineColumn } from '@/lib/engine/port';
import { appendJournal } from '@/lib/journal/append';
import { accessRecordReader } from '@/lib/fhir/access-rows';
import { auditEventBundleJson } from '@/lib/fhir/audit-event-bundle';
import { DomainError } from '@/lib/errors';
import { toRunDto, type RunDto } from './run-dto';
import { isAccessResult } from './access-columns';
import { csvFromRowLines } from './csv-lines';
import { ledgerParams } from './sealed-params';
import { loadVisibleRun, requireResultAccess } from './visible-run';

export const EXPORT_FORMATS = ['csv', 'json', 'fhir'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export type RunExport = { filename: string; contentType: string; body: AsyncIterable<string> };

/** The CLI's JSON shape: {"runId","query","columns","rows":[{…}],"stats","coverage"}, streamed row by row. */
export async function* jsonBody(run: RunDto, columns: EngineColumn[], rows: AsyncIterable<Cell[]>): AsyncGenerator<string> {
  yield `{"runId":${JSON.stringify(run.id)},"query":${JSON.stringify(run.queryId)},"columns":${JSON.stringify(columns.map((c) => c.name))},"rows":[`;
  let first = true;
  let chunk = '';
  for await (const row of rows) {
    const record: Record<string, Cell> = {};
    columns.forEach((c, i) => (record[c.name] = row[i] ?? null));
    chunk += (first ? '' : ',') + JSON.stringify(record);
    first = false;
    if (chunk.length > 64 * 1024) {
      yield chunk;
      chunk = '';
    }
  }
  yield `${chunk}],"stats":${JSON.stringify({
    durationMs: run.durationMs,
    rowCount: run.rowCount,
    bytesScanned: run.bytesScanned,
    filesScanned: run.filesScanned,
    costUsd: run.costUsd,
    engine: run.engine,
    engineExecutionId: run.engineExecutionId,
    sqlSha256: run.sqlSha256,
    resultSha256: run.resultSha256,
  })},"coverage":${JSON.stringify(run.coverage)}}\n`;
}

/** Streams a stored result (bounded memory at any size); the export itself is journaled first. */
export async function exportRun(ctx: Ctx, runId: string, format: ExportFormat): Promise<RunExport> {
  await authorize(ctx, 'query.use');
  const row = await loadExportable(ctx, runId, format);
  // a result that no longer matches its ledger entry is refused (and that is journaled) before any export is
  await assertStoredResult(ctx, row, format);
  await withTransaction(ctx, (tx, txCtx) =>
    appendJournal(tx, txCtx, { action: 'query.export', subject: row.id, details: { queryId: row.queryId, format, rowCount: row.rowCount ?? 0 } }),
  );
  return fileOf(ctx, row, format);
}

/** A run the actor may export in this format (its rows readable by their role, the format fitting its columns). */
export async function loadExportable(ctx: Ctx, runId: string, format: ExportFormat): Promise<QueryRunRow> {
  const row = await loadVisibleRun(ctx, runId);
  await requireResultAccess(ctx, row);
  if (format === 'fhir' && !isAccessResult(await ctx.services.results.columns(row.id))) {
    throw new DomainError('precondition', 'Only results that list accesses (event time, action, source, outcome) can be exported as FHIR AuditEvents.');
  }
  return row;
}

// mutation-path: a refusal to deliver is journaled by the verb that asked for the file; the
// export itself was authorized and journaled when it was requested.
/** The file of an export, after the stored rows were hashed again and found to be what the ledger recorded. */
export async function exportFile(ctx: Ctx, row: QueryRunRow, format: ExportFormat): Promise<RunExport> {
  await assertStoredResult(ctx, row, format);
  return fileOf(ctx, row, format);
}

/** Hashes the stored rows again; a mismatch with the ledger is journaled and refused. */
async function assertStoredResult(ctx: Ctx, row: QueryRunRow, format: ExportFormat): Promise<void> {
  const stored = await ctx.services.results.verify(row.id);
  if (stored.sha256 !== row.resultSha256) {
    await withTransaction(ctx, (tx, txCtx) =>
      appendJournal(tx, txCtx, { action: 'query.export_refused', subject: row.id, details: { queryId: row.queryId, format, reason: 'result_hash_mismatch' } }),
    );
    throw new DomainError('precondition', 'The stored result of this run no longer matches the SHA-256 its run recorded, so it is not exported. The refusal is journaled; re-run the query.');
  }
}

async function fileOf(ctx: Ctx, row: QueryRunRow, format: ExportFormat): Promise<RunExport> {
  const { results } = ctx.services;
  const columns = await results.columns(row.id);
  const stamp = row.startedAt.toISOString().slice(0, 19).replace(/[:T]/g, '-');
  const base = `${row.queryId}-${stamp}`;
  if (format === 'csv') {
    return { filename: `${base}.csv`, contentType: 'text/csv; charset=utf-8', body: csvFromRowLines(columns, results.rowLineBlocks(row.id)) };
  }
  if (format === 'fhir') {
    const read = accessRecordReader(columns);
    const patient = ledgerParams(ctx.services.keys, row).patient;
    const meta = {
      patientIdHash: typeof patient === 'string' && /^[0-9a-f]{64}$/.test(patient) ? patient : null,
      generatedAt: ctx.now().toISOString(),
      runId: row.id,
      coverage: row.coverage,
      ...(ctx.services.env.NEXTAUTH_URL ? { portalUrl: ctx.services.env.NEXTAUTH_URL } : {}),
    };
    return {
      filename: `${base}.fhir.json`,
      contentType: 'application/fhir+json; charset=utf-8',
      body: auditEventBundleJson(mapRows(results.rows(row.id), read), meta),
    };
  }
  return { filename: `${base}.json`, contentType: 'application/json; charset=utf-8', body: jsonBody(toRunDto(ctx, row), columns, results.rows(row.id)) };
}


async function* mapRows<T>(rows: AsyncIterable<Cell[]>, read: (row: Cell[]) => T): AsyncGenerator<T> {
  for await (const row of rows) yield read(row);
}
