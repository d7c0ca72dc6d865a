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

export function wholeFileRejection(file: string, reason: string): SourceBatch {
  return { rows: [], rejected: [{ file, line: 0, reason }], textBytes: 0 };
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
