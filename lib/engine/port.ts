// The query-engine port: one saved SQL text (Trino dialect, positional `?` placeholders) runs on
// any adapter; every adapter returns the same canonical cell values and statistics.
import { isLogTable, type LakeTable, type ScanScope } from '@/lib/lake/tables';

export type SqlType =
  | 'varchar'
  | 'bigint'
  | 'integer'
  | 'double'
  | 'boolean'
  | 'date'
  | 'timestamp'
  | 'array(varchar)';

/** A value bound to one `?`, already validated; adapters encode it (prepared value or typed literal). */
export type BindValue =
  | { type: 'varchar'; value: string }
  | { type: 'bigint' | 'integer'; value: number }
  | { type: 'double'; value: number }
  | { type: 'boolean'; value: boolean }
  | { type: 'date'; value: string } // YYYY-MM-DD
  | { type: 'timestamp'; value: string }; // ISO 8601 UTC, YYYY-MM-DDTHH:MM:SSZ

/**
 * Canonical cell values, identical whichever engine produced them:
 * varchar → string, integers → number (string beyond 2^53), double → number, boolean,
 * date → 'YYYY-MM-DD', timestamp → 'YYYY-MM-DDTHH:MM:SS[.fff]Z' (UTC), array(varchar) → string[].
 */
export type Cell = string | number | boolean | null | string[];


export type EngineRequest = {
  sql: string;
  binds: BindValue[];
  /** Tables the statement reads; log tables require a scope. */
  tables: LakeTable[];
  scope: ScanScope | null;
  /**
   * For a statement that reads the access index: the days it reads from the index, and the days
   * (possibly none) whose log partitions it reads raw. The raw log tables are then opened only
   * for `rawScope`, whatever `scope` says.
   */
  accessIndex?: { indexed: ScanScope | null; rawScope: ScanScope | null };
  /** Caller-chosen id, stable across retries (Athena ClientRequestToken). */
  requestToken?: string;
  signal?: AbortSignal;
  onProgress?: (progress: EngineProgress) => void;
};

/** What an estimate is asked for: the request's tables and days, and the access index's part of them. */
export type EstimateRequest = Pick<EngineRequest, 'tables' | 'scope' | 'accessIndex'>;

/**
 * The tables a request reads besides the access index, and their days: beside the index the log
 * tables hold only the days it lacks (none at all when it has them all).
 */
export function rawRead(request: EstimateRequest): { tables: LakeTable[]; scope: ScanScope | null } {
  const { tables, scope, accessIndex } = request;
  if (!accessIndex) return { tables, scope };
  return { tables: accessIndex.rawScope ? tables : tables.filter((t) => !isLogTable(t)), scope: accessIndex.rawScope };
}

export type EngineProgress = {
  state: 'queued' | 'running' | 'fetching';
  /** 0–100 when the engine can tell how far along it is. */
  percent?: number;
  bytesScanned?: number;
  rowsFetched?: number;
  elapsedMs: number;
};

export type EngineColumn = { name: string; type: SqlType };

export type EngineStats = {
  durationMs: number;
  bytesScanned: number;
  filesScanned: number | null;
  /** Engine-side id (Athena QueryExecutionId; DuckDB: a local uuid). */
  executionId: string;
  /** True when the engine served a cached result (Athena result reuse). */
  reused: boolean;
  costUsd: number;
};

export type EngineExecution = {
  executionId: string;
  columns: EngineColumn[];
  /** Rows in column order, in batches; consuming it to the end completes the execution. */
  batches: AsyncIterable<Cell[][]>;
  /** Resolves once `batches` has been consumed (or the execution failed). */
  stats(): Promise<EngineStats>;
};

export type ScanEstimate = {
  files: number;
  bytes: number;
  partitions: number;
  /** What the scan would cost on the adapter's pricing (Athena: $5/TB, 10 MB minimum; local: 0). */
  costUsd: number;
};

/** Log sources as `lake check` names them: cloudtrail_logs → cloudtrail, the others by their table. */
export type CoverageSource = 'cloudtrail' | 's3_access_logs' | 's3_inventory';

/** A half-open UTC interval (ISO 8601, `YYYY-MM-DDTHH:00:00Z`), at least an hour long. */
export type CoverageGap = { from: string; to: string };

export type SourceCoverage = {
  /** Days of the window with at least one delivered log file (inventory: a report). */
  daysWithLogs: number;
  daysWithout: number;
  /** Hours (inventory: days) of the window for which some log location delivered nothing, merged. */
  gaps: CoverageGap[];
  /** The first and last UTC day the source delivered anything at all, in the whole lake (null: never). */
  firstDay: string | null;
  lastDay: string | null;
};

/**
 * What the logs a run read cover of its window (UTC days, both inclusive): per log source, the
 * days with and without delivered files and the gaps, derived from object keys alone (delivery
 * times as AWS names the objects), never from the rows a query returned.
 */
export type LogCoverage = {
  from: string;
  to: string;
  sources: Partial<Record<CoverageSource, SourceCoverage>>;
};

/** One line of `config check`: ok, failed, or ok with a warning (a weaker setup that still works). */
export type ConfigCheck = { item: string; ok: boolean; message: string; warning?: true };

export type EngineCapabilities = {
  /** The engine reads a lake on this machine, which the portal compacts itself (Athena's Parquet layer is built by scheduled INSERT INTO). */
  localLake: boolean;
};

/** A statement with its `?` values, as the domain builds it for an engine. */
export type BoundStatement = { sql: string; binds: BindValue[] };

/**
 * The statements that build the access index for a window of days (UTC, both inclusive): the rows
 * as a SELECT (with a `day` column, 'YYYY-MM-DD'), and the same rows appended to the index table.
 */
export type AccessIndexBuild = {
  select(days: ScanScope): BoundStatement;
  insert(days: ScanScope): BoundStatement;
};

export type AccessIndexRefresh = {
  /** Days (re)built in this refresh. */
  daysBuilt: number;
  /** Access rows written (by the days built; merging days into a month writes their rows again, not counted). */
  rows: number;
  /** Bytes of the files written, merged months' included. */
  bytesWritten: number;
  /** Months whose days were merged into one file (where the engine merges them). */
  monthsMerged?: number;
  /** Last day of the contiguous indexed span after the refresh (null: nothing indexed). */
  through: string | null;
  seconds: number;
};

/**
 * The access index: one row per access to an image set or study object, built once per day of
 * logs (lib/lake/ddl/access_index.sql), which saved queries read instead of the raw logs for the
 * days it holds.
 */
/** The days the index holds: every day from `from` to `through`, each indexed and current. */
export type AccessIndexSpan = { from: string; through: string };

export type AccessIndexPort = {
  /**
   * What the index holds now (null: nothing). A window that starts on or after `from` reads the
   * index up to `through` and the raw logs after it; one that starts earlier reads the raw logs.
   */
  span(): Promise<AccessIndexSpan | null>;
  /** Indexes the days that are due (new or whose logs changed), leaving the latest hours raw. */
  refresh(build: AccessIndexBuild, options?: { signal?: AbortSignal }): Promise<AccessIndexRefresh>;
};

export type QueryEngine = {
  /** The adapter's name, recorded with each run; never branched on outside the composition root. */
  readonly kind: 'duckdb' | 'athena';
  readonly capabilities: EngineCapabilities;
  /** Cheap liveness for health checks: whether queries can be answered now, without spending money. */
  ready(): Promise<boolean>;
  /** What `request` would read, priced; the access index's days are priced as the index files that hold them. */
  estimate(request: EstimateRequest): Promise<ScanEstimate>;
  execute(request: EngineRequest): Promise<EngineExecution>;
  checkConfig(): Promise<ConfigCheck[]>;
  /** Days for which log data exists, when the engine can tell cheaply (form defaults). */
  dataWindow(): Promise<ScanScope | null>;
  /**
   * The log coverage of `window` for the log sources among `tables` (null when there are none),
   * from a listing of the objects' keys: the same answer whichever layer (raw, compacted) holds them.
   */
  coverage(tables: LakeTable[], window: ScanScope): Promise<LogCoverage | null>;
  readonly accessIndex: AccessIndexPort;
  close(): Promise<void>;
};

const ENGINE_ERROR = Symbol.for('custos.EngineError');

export class EngineError extends Error {
  // A brand keeps `instanceof` true when a bundler loads this module twice.
  readonly [ENGINE_ERROR] = true;

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[ENGINE_ERROR] === true;
  }

  constructor(
    message: string,
    readonly code: 'failed' | 'cancelled' | 'timeout' | 'limit' | 'config' | 'throttled',
    readonly executionId?: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

/** Athena list price: $5 per TB scanned, rounded up to the MB, 10 MB minimum per query. */
export function athenaCostUsd(bytesScanned: number): number {
  const MB = 1024 * 1024;
  const billedMb = Math.max(10, Math.ceil(bytesScanned / MB));
  return (billedMb * MB * 5) / 1024 ** 4;
}
