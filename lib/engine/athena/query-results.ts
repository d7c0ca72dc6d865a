import 'server-only';
import { GetQueryResultsCommand, type GetQueryResultsOutput, type Row } from '@aws-sdk/client-athena';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import {
  EngineError,
  athenaCostUsd,
  type Cell,
  type EngineColumn,
  type EngineRequest,
  type EngineStats,
} from '@/lib/engine/port';
import { awsErrorMessage, awsErrorName, deniedAction, isAccessDenied } from './aws-errors';
import { decodeCell, sqlTypeOf } from './cells';
import type { AthenaContext } from './context';
import { csvRecords } from './csv-records';
import type { SucceededExecution } from './query-execution';
import { withRetry } from './retry';
import { parseS3Uri, type S3Location } from './s3-uri';

/** GetQueryResults' maximum page size. */
export const PAGE_ROWS = 1000;
/** Rows per batch handed to the caller when streaming the CSV result object. */
export const CSV_BATCH_ROWS = 1000;

export type OpenedResults = { columns: EngineColumn[]; batches: AsyncGenerator<Cell[][]> };

export function executionStats(execution: SucceededExecution, startedAt: number): EngineStats {
  const statistics = execution.Statistics ?? {};
  const reused = statistics.ResultReuseInformation?.ReusedPreviousResult === true;
  const bytesScanned = statistics.DataScannedInBytes ?? 0;
  return {
    durationMs:
      statistics.TotalExecutionTimeInMillis ??
      statistics.EngineExecutionTimeInMillis ??
      Math.round(performance.now() - startedAt),
    bytesScanned,
    filesScanned: null,
    executionId: execution.QueryExecutionId,
    reused,
    costUsd: reused ? 0 : athenaCostUsd(bytesScanned),
  };
}

function decodeRows(rows: Row[], columns: EngineColumn[]): Cell[][] {
  return rows.map((row) => columns.map((column, i) => decodeCell(row.Data?.[i]?.VarCharValue, column.type)));
}

/** The result object of a SELECT (`<OutputLocation>/<QueryExecutionId>.csv`); null with managed results. */
function csvLocation(execution: SucceededExecution): S3Location | null {
  const uri = execution.ResultConfiguration?.OutputLocation;
  const location = uri ? parseS3Uri(uri) : null;
  return location && location.key.endsWith('.csv') ? location : null;
}

/**
 * Reads the first page (for the column types) and returns the rest as batches: further
 * GetQueryResults pages until `csvResultRowThreshold` rows have been read, then the remainder
 * streamed from the CSV result object, which is far faster than 1000-row pages.
 */
export async function openQueryResults(
  ctx: AthenaContext,
  execution: SucceededExecution,
  request: EngineRequest,
  startedAt: number,
): Promise<OpenedResults> {
  const executionId = execution.QueryExecutionId;
  const signal = request.signal;

  const translate = (error: unknown): EngineError => {
    if (signal?.aborted) return new EngineError('The query was cancelled.', 'cancelled', executionId);
    if (error instanceof EngineError) {
      return error.executionId ? error : new EngineError(error.message, error.code, executionId);
    }
    if (isAccessDenied(error)) {
      const action = deniedAction(error, 'athena:GetQueryResults');
      return new EngineError(`Custos may not read the query results: the IAM permission ${action} is missing.`, 'config', executionId);
    }
    return new EngineError(
      `Reading the query results failed (${awsErrorName(error)}): ${awsErrorMessage(error)}`,
      'failed',
      executionId,
    );
  };

  const page = (nextToken?: string): Promise<GetQueryResultsOutput> =>
    withRetry(
      'athena:GetQueryResults',
      () =>
        ctx.athena.send(
          new GetQueryResultsCommand({ QueryExecutionId: executionId, MaxResults: PAGE_ROWS, NextToken: nextToken }),
          { abortSignal: signal },
        ),
      ctx.retry,
      signal,
    );

  let first: GetQueryResultsOutput;
  try {
    first = await page();
  } catch (error) {
    throw translate(error);
  }
  const columns: EngineColumn[] = (first.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c) => ({
    name: c.Label ?? c.Name ?? '',
    type: sqlTypeOf(c.Type),
  }));
  const bytesScanned = execution.Statistics?.DataScannedInBytes;
  const csv = csvLocation(execution);

  const openCsv = async (location: S3Location) => {
    try {
      const object = await withRetry(
        's3:GetObject',
        () => ctx.s3.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key }), { abortSignal: signal }),
        ctx.retry,
        signal,
      );
      const body = object.Body as unknown;
      return body && typeof body === 'object' && Symbol.asyncIterator in body
        ? (body as AsyncIterable<Uint8Array> & { destroy?: () => void })
        : null;
    } catch (error) {
      if (signal?.aborted || error instanceof EngineError) throw error;
      return null; // not readable here (permissions, lifecycle): keep paging through the API
    }
  };

  const batches = async function* (): AsyncGenerator<Cell[][]> {
    let rowsFetched = 0;
    const progress = () =>
      request.onProgress?.({
        state: 'fetching',
        rowsFetched,
        bytesScanned,
        elapsedMs: Math.round(performance.now() - startedAt),
      });
    try {
      // For a SELECT the first row of the first page is the column header.
      const firstRows = decodeRows((first.ResultSet?.Rows ?? []).slice(1), columns);
      rowsFetched += firstRows.length;
      progress();
      if (firstRows.length > 0) yield firstRows;

      let nextToken = first.NextToken;
      while (nextToken) {
        if (csv && rowsFetched >= ctx.config.csvResultRowThreshold) {
          const body = await openCsv(csv);
          if (body) {
            try {
              let index = -1;
              let batch: Cell[][] = [];
              for await (const records of csvRecords(body)) {
                for (const record of records) {
                  index++;
                  if (index === 0) {
                    if (record.length !== columns.length) {
                      throw new EngineError(
                        `The result file s3://${csv.bucket}/${csv.key} has ${record.length} columns; the query returned ${columns.length}.`,
                        'failed',
                        executionId,
                      );
                    }
                    continue;
                  }
                  if (index <= rowsFetched) continue;
                  batch.push(columns.map((column, i) => decodeCell(record[i], column.type)));
                  if (batch.length >= CSV_BATCH_ROWS) {
                    rowsFetched += batch.length;
                    progress();
                    yield batch;
                    batch = [];
                  }
                }
              }
              if (batch.length > 0) {
                rowsFetched += batch.length;
                progress();
                yield batch;
              }
              return;
            } finally {
              body.destroy?.();
            }
          }
        }
        const next = await page(nextToken);
        const rows = decodeRows(next.ResultSet?.Rows ?? [], columns);
        rowsFetched += rows.length;
        progress();
        if (rows.length > 0) yield rows;
        nextToken = next.NextToken;
      }
    } catch (error) {
      throw translate(error);
    }
  };

  return { columns, batches: batches() };
}
