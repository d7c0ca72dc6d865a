import 'server-only';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance, DuckDBTypeId, type DuckDBType } from '@duckdb/node-api';
import {
  EngineError,
  type Cell,
  type EngineColumn,
  type EngineExecution,
  type EngineRequest,
  type EngineStats,
  type QueryEngine,
  type SqlType,
} from '@/lib/engine/port';
import { localLakeCoverage } from '@/lib/lake/coverage-local';
import { latestLogDay } from '@/lib/lake/latest-day';
import { bindAll } from './binds';
import { inlineJsonPaths } from './json-paths';
import { duckDbAccessIndex } from './access-index';
import { createLakeViews, estimateLakeScan } from './views';
import { installTrinoMacros } from './macros';
import { lockDown, prepareSelect, SANDBOX_OPTIONS } from './sandbox';
import type { LakeLocation } from '@/lib/lake/tables';
import { DEFAULT_DUCKDB_MEMORY_LIMIT } from '@/lib/config/env';

export type DuckDbEngineOptions = {
  lake: LakeLocation;
  threads?: number;
  memoryLimit?: string;
  /** Where DuckDB may spill to disk (in a folder of its own per instance); defaults to a folder in the OS temp directory. */
  tempDir?: string;
  /** Days before the newest delivery day that the access index leaves to the raw logs. */
  indexLagDays?: number;
};

/** The embedded engine: DuckDB in-process over the local lake, reading only the partitions in scope. */
export async function createDuckDbEngine(options: DuckDbEngineOptions): Promise<QueryEngine> {
  const tempDir = options.tempDir ?? path.join(os.tmpdir(), 'custos-duckdb');
  fs.mkdirSync(tempDir, { recursive: true });
  // Once external access is off DuckDB lets SQL read its temp directory, so each instance spills
  // into a folder of its own that holds nothing but its spill files.
  const spillDir = fs.mkdtempSync(path.join(tempDir, 'duckdb-'));
  // The views name lake files by this absolute path, which the sandbox allows.
  const lake: LakeLocation = { ...options.lake, dir: path.resolve(options.lake.dir) };
  const memoryLimit = options.memoryLimit ?? DEFAULT_DUCKDB_MEMORY_LIMIT;
  const instance = await DuckDBInstance.create(':memory:', {
    threads: String(options.threads ?? 2),
    memory_limit: memoryLimit,
    temp_directory: spillDir,
    // The allocator returns freed memory to the system from threads of its own; without them a
    // query's peak stays resident until later allocations happen to purge it (about 100 MB more).
    allocator_background_threads: 'true',
    ...SANDBOX_OPTIONS,
  });
  const setup = await instance.connect();
  // Global settings (UTC, Trino semantics) come first: once locked, nothing can change them.
  await installTrinoMacros(setup);
  await lockDown(setup, [lake.dir]);

  const execute = async (request: EngineRequest): Promise<EngineExecution> => {
    const started = performance.now();
    const executionId = randomUUID();
    if (request.signal?.aborted) throw new EngineError('The query was cancelled.', 'cancelled', executionId);
    const conn = await instance.connect();
    const onAbort = () => conn.interrupt();
    request.signal?.addEventListener('abort', onAbort, { once: true });
    const release = () => {
      request.signal?.removeEventListener('abort', onAbort);
      conn.closeSync();
    };
    let progressTimer: NodeJS.Timeout | undefined;
    // An interrupt only stops a statement already executing, so a cancel that lands between
    // steps is honoured at the next one.
    const checkpoint = () => {
      if (request.signal?.aborted) throw new EngineError('The query was cancelled.', 'cancelled', executionId);
    };
    try {
      const scanned = await createLakeViews(conn, lake, request.tables, request.scope, request.accessIndex);
      checkpoint();
      const prepared = await prepareSelect(conn, inlineJsonPaths(request.sql));
      bindAll(prepared, request.binds);
      checkpoint();
      if (request.onProgress) {
        progressTimer = setInterval(() => {
          const percent = conn.progress.percentage;
          request.onProgress?.({ state: 'running', elapsedMs: performance.now() - started, ...(percent >= 0 ? { percent: Math.round(percent) } : {}) });
        }, 500);
      }
      const result = await prepared.stream();
      checkpoint();
      const types = result.columnTypes();
      const columns: EngineColumn[] = result.columnNames().map((name, i) => ({ name, type: sqlType(types[i]!) }));
      let finished: EngineStats | undefined;
      let failure: unknown;
      const batches = (async function* () {
        let rows = 0;
        try {
          for await (const batch of result.yieldRowsJs()) {
            rows += batch.length;
            request.onProgress?.({ state: 'fetching', rowsFetched: rows, elapsedMs: performance.now() - started });
            yield batch.map((row) => row.map((value, i) => toCell(value, columns[i]!.type)));
          }
          // A statement that fails while its rows stream (out of memory, a value that will not
          // convert) ends the stream as if it were complete: the client library does not pass
          // the error on. The result then no longer reports itself as streaming (DuckDB's C API
          // answers false for a result holding an error), which tells a cut answer from a whole one.
          if (!result.isStreaming) {
            checkpoint(); // a cancel ends the stream the same way
            throw new EngineError(partWayFailure(rows, memoryLimit), 'failed', executionId);
          }
          finished = {
            durationMs: Math.round(performance.now() - started),
            bytesScanned: scanned.bytes,
            filesScanned: scanned.files,
            executionId,
            reused: false,
            costUsd: 0,
          };
        } catch (error) {
          failure = translate(error, request.signal, executionId, memoryLimit);
          throw failure;
        } finally {
          clearInterval(progressTimer);
          release();
        }
      })();
      return {
        executionId,
        columns,
        batches,
        stats: async () => {
          if (finished) return finished;
          throw failure ?? new EngineError('The result was not read to the end.', 'failed', executionId);
        },
      };
    } catch (error) {
      clearInterval(progressTimer);
      release();
      throw translate(error, request.signal, executionId, memoryLimit);
    }
  };

  return {
    kind: 'duckdb',
    capabilities: { localLake: true },
    ready: async () => latestLogDay(lake) !== null,
    execute,
    estimate: async (request) => ({ ...(await estimateLakeScan(lake, request)), costUsd: 0 }),
    dataWindow: async () => {
      const last = latestLogDay(lake);
      if (!last) return null;
      const from = new Date(Date.parse(`${last}T00:00:00Z`) - 29 * 86_400_000).toISOString().slice(0, 10);
      return { from, to: last };
    },
    coverage: (tables, window) => localLakeCoverage(lake, tables, window),
    accessIndex: duckDbAccessIndex(lake, { tempDir, threads: options.threads, memoryLimit, lagDays: options.indexLagDays }),
    checkConfig: async () => {
      const exists = fs.existsSync(lake.dir);
      const last = exists ? latestLogDay(lake) : null;
      return [
        {
          item: 'Lake directory',
          ok: exists,
          message: exists ? lake.dir : `${lake.dir} does not exist; run "custos lake generate" or set CUSTOS_LAKE_DIR`,
        },
        {
          item: 'CloudTrail logs',
          ok: last !== null,
          message: last ? `latest delivery day ${last}` : 'no CloudTrail log files found under AWSLogs/',
        },
      ];
    },
    close: async () => {
      setup.closeSync();
      instance.closeSync();
      fs.rmSync(spillDir, { recursive: true, force: true });
    },
  };
}

function sqlType(type: DuckDBType): SqlType {
  switch (type.typeId) {
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.UINTEGER:
      return 'bigint';
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UTINYINT:
      return 'integer';
    case DuckDBTypeId.DOUBLE:
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DECIMAL:
      return 'double';
    case DuckDBTypeId.BOOLEAN:
      return 'boolean';
    case DuckDBTypeId.DATE:
      return 'date';
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_TZ:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_NS:
      return 'timestamp';
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
      return 'array(varchar)';
    default:
      return 'varchar';
  }
}

function toCell(value: unknown, type: SqlType): Cell {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'bigint':
    case 'integer':
      if (typeof value === 'bigint') {
        return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value.toString();
      }
      return Number(value);
    case 'double':
      return Number(value);
    case 'boolean':
      return Boolean(value);
    case 'date':
      return value instanceof Date ? value.toISOString().slice(0, 10) : String(value);
    case 'timestamp':
      return value instanceof Date ? value.toISOString() : String(value);
    case 'array(varchar)':
      return Array.isArray(value) ? value.map((v) => (v === null ? '' : String(v))) : [String(value)];
    default:
      return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value, jsonBigInt) : String(value);
  }
}

function jsonBigInt(_key: string, value: unknown) {
  return typeof value === 'bigint' ? value.toString() : value;
}

const memoryAdvice = (memoryLimit: string) => `(CUSTOS_DUCKDB_MEMORY_LIMIT, ${memoryLimit}): narrow the date range, or raise the limit`;

function partWayFailure(rows: number, memoryLimit: string): string {
  return (
    `The query failed after ${rows.toLocaleString('en-US')} rows, and the embedded engine did not say why; it is most often memory ` +
    `${memoryAdvice(memoryLimit)}. The rows read so far are not an answer.`
  );
}

function translate(error: unknown, signal: AbortSignal | undefined, executionId: string, memoryLimit: string): EngineError {
  if (error instanceof EngineError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (signal?.aborted || /INTERRUPT/i.test(message)) {
    return new EngineError('The query was cancelled.', 'cancelled', executionId);
  }
  const first = message.split('\n')[0];
  if (/^Permission Error/.test(message)) {
    return new EngineError(`The query was refused: the embedded engine reads only the lake (${first})`, 'failed', executionId);
  }
  if (/^Out of Memory Error/.test(message)) {
    return new EngineError(
      `The query needs more memory than the embedded engine may hold ${memoryAdvice(memoryLimit)} (${first})`,
      'failed',
      executionId,
    );
  }
  return new EngineError(`The query failed: ${first}`, 'failed', executionId);
}
