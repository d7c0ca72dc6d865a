/** One normalized row: lowercase column name → value, in the table's column order; a column absent from the object is NULL. */
export type Row = Record<string, unknown>;

/** A record or file the lake could not load; `line` is 1-based, 0 when the whole file is refused. */
export type Rejection = { file: string; line: number; reason: string };

/**
 * What a source parser yields. A whole-file rejection (line 0) may follow earlier batches of the
 * same file (a read error half-way): consumers then discard every row of that file.
 */
export type SourceBatch = {
  rows: Row[];
  rejected: Rejection[];
  /** Bytes of uncompressed JSON/text this batch was parsed from. */
  textBytes: number;
};

/** A raw object to parse: its absolute path, its key relative to the lake root, and the partition
 * values Athena derives from that key (appended to every row). */
export type SourceInput = {
  absPath: string;
  file: string;
  partition: Record<string, string>;
};

/**
 * The largest staged row (NDJSON) DuckDB reads. read_json holds a buffer of twice this per thread,
 * so it bounds what reading raw logs needs of the engine's memory limit (two threads: 64 MiB).
 */
export const MAX_STAGED_ROW_BYTES = 16 << 20;

/**
 * The largest CloudTrail record loaded, as JSON. CloudTrail's own limit is 1 MB (event size
 * "Large"); a staged row is at most about twice its record (objects in STRING columns become
 * escaped text), so every row that passes fits MAX_STAGED_ROW_BYTES.
 */
export const MAX_RECORD_BYTES = 4 << 20;

/** The longest line a line-oriented source (access log, CSV inventory) loads: its row fits MAX_STAGED_ROW_BYTES even if every character were escaped. */
export const MAX_SOURCE_LINE_CHARS = 1 << 20;

const MIB = 1 << 20;

export const oversizedRecord = (bytes: number) =>
  `record of ${(bytes / MIB).toFixed(1)} MiB is larger than the ${MAX_RECORD_BYTES / MIB} MiB a CloudTrail record may be`;

export const oversizedLine = (chars: number) =>
  `line of ${chars.toLocaleString('en-US')} characters is longer than the ${MAX_SOURCE_LINE_CHARS.toLocaleString('en-US')} a log line may be`;

export function wholeFileRejection(file: string, reason: string): SourceBatch {
  return { rows: [], rejected: [{ file, line: 0, reason }], textBytes: 0 };
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
