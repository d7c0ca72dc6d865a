// The access index in the benchmark: building it after compaction, what a full-year patient question
// reads from it against the raw log objects Athena would scan without it, and the honest reference:
// the same question written by hand in DuckDB over the compacted Parquet, without Custos.
import { DuckDBInstance } from '@duckdb/node-api';
import { refreshLocalAccessIndex } from '@/lib/boot/local-access-index';
import { addDays } from '@/lib/days';
import { indexFiles, readAccessIndexManifest } from '@/lib/lake/access-index-manifest';
import { readCompactManifest } from '@/lib/lake/compact-manifest';
import { sqlString } from '@/lib/lake/read-sql';
import { scanLake } from '@/lib/lake/scan';
import { LOG_TABLES, type LakeLocation } from '@/lib/lake/tables';
import { median, round } from './figures';
import type { Window } from './bench-params';

export type IndexBuildFigures = {
  seconds: number;
  days: number;
  /** Calendar months whose days were merged into one file. */
  months: number;
  rows: number;
  /** The index as it stands after the build: the files its manifest lists. */
  bytes: number;
  files: number;
  through: string | null;
};

export async function buildAccessIndex(lake: LakeLocation): Promise<IndexBuildFigures> {
  const report = await refreshLocalAccessIndex(lake);
  const manifest = await readAccessIndexManifest(lake);
  const files = manifest.from && manifest.through ? indexFiles(lake, manifest, manifest.from, manifest.through) : [];
  return {
    seconds: report.seconds,
    days: report.daysBuilt,
    months: report.monthsMerged ?? 0,
    rows: report.rows,
    bytes: files.reduce((sum, f) => sum + f.bytes, 0),
    files: files.length,
    through: report.through,
  };
}

export type IndexBytesFigures = {
  /** Raw CloudTrail and access-log objects (as delivered, gzip) in the window's partitions: what Athena scans over the raw tables. */
  rawBytes: number;
  /**
   * What the question reads of the index's Parquet: the filter columns of every row group, and the
   * other columns it selects only in row groups whose min/max statistics may hold the patient's
   * image sets or study prefixes (Athena reads Parquet by column and skips row groups by statistics).
   */
  indexBytes: number;
  /** The index files of the window whole: the most a reader could read. */
  indexFileBytes: number;
  /** Raw objects of the days after the index's watermark, which a run still reads raw. */
  rawTailBytes: number;
  ratio: number;
};

/**
 * Columns the access fragment's scans filter the index on (queries/fragments/image-accesses.sql:
 * the day, then per source the image set or the study prefix), read in every row group. `day` is a
 * partition column on Athena, not read from the files at all; it is counted anyway.
 */
const FILTER_COLUMNS = ['day', 'source', 'image_set_id', 'study_prefix'];
/**
 * Columns read for the rows that pass those filters, so only in row groups that may hold them; the
 * principal is among them because the actors are matched after the studies (indexed_by_actors).
 */
const SELECTED_COLUMNS = ['principal', 'event_time', 'action', 'source_ip', 'user_agent', 'outcome', 'sources', 'request_id', 'event_id'];

async function indexBytesRead(files: string[], target: { imageSetIds: Set<string>; keyPrefixes: Set<string> }): Promise<number> {
  if (files.length === 0) return 0;
  const instance = await DuckDBInstance.create(':memory:', { threads: '2', memory_limit: '1GB' });
  const conn = await instance.connect();
  try {
    const rows = (
      await conn.runAndReadAll(
        `SELECT file_name, row_group_id, path_in_schema, total_compressed_size, stats_min_value, stats_max_value
         FROM parquet_metadata([${files.map(sqlString).join(', ')}])`,
      )
    ).getRows() as [string, bigint | number, string, bigint | number, string | null, string | null][];
    const groups = new Map<string, { bytes: Map<string, number>; mayMatch: boolean }>();
    const within = (values: Set<string>, min: string | null, max: string | null) =>
      min !== null && max !== null && [...values].some((v) => v >= min && v <= max);
    for (const [file, group, column, size, min, max] of rows) {
      const key = `${file}#${group}`;
      const entry = groups.get(key) ?? { bytes: new Map(), mayMatch: false };
      entry.bytes.set(column, Number(size));
      if (column === 'image_set_id' && within(target.imageSetIds, min, max)) entry.mayMatch = true;
      if (column === 'study_prefix' && within(target.keyPrefixes, min, max)) entry.mayMatch = true;
      groups.set(key, entry);
    }
    let total = 0;
    for (const { bytes, mayMatch } of groups.values()) {
      for (const c of FILTER_COLUMNS) total += bytes.get(c) ?? 0;
      if (mayMatch) for (const c of SELECTED_COLUMNS) total += bytes.get(c) ?? 0;
    }
    return total;
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

export async function indexBytesFor(
  lake: LakeLocation,
  window: Window,
  target: { imageSetIds: Set<string>; keyPrefixes: Set<string> },
): Promise<IndexBytesFigures> {
  const manifest = await readAccessIndexManifest(lake);
  const sizeOf = async (scope: Window | null) => {
    if (!scope || scope.from > scope.to) return 0;
    const partitions = await scanLake(lake, [...LOG_TABLES], scope);
    return partitions.reduce((sum, p) => sum + p.files.reduce((s, f) => s + f.size, 0), 0);
  };
  const rawBytes = await sizeOf(window);
  const through = manifest.through && manifest.from && manifest.from <= window.from && manifest.through >= window.from ? manifest.through : null;
  const files = through ? indexFiles(lake, manifest, window.from, through) : [];
  const indexFileBytes = files.reduce((sum, f) => sum + f.bytes, 0);
  const indexBytes = await indexBytesRead(files.map((f) => f.file), target);
  const tail = through ? (through >= window.to ? null : { from: addDays(through, 1), to: window.to }) : window;
  const rawTailBytes = await sizeOf(tail);
  return { rawBytes, indexBytes, indexFileBytes, rawTailBytes, ratio: round(rawBytes / Math.max(1, indexBytes + rawTailBytes), 1) };
}

export type HandwrittenFigures = { ms: number; runsMs: number[]; rows: number; files: number };

/**
 * The patient question as an engineer would write it in DuckDB over the compacted Parquet: the
 * patient's image sets and study prefixes looked up beforehand, one pass over the year's trail
 * (deduplicated by event id) and one over its access logs, no trail/log join, no KMS match.
 */
export async function handwrittenPatientQuery(
  lake: LakeLocation,
  window: Window,
  target: { imageSetIds: Set<string>; keyPrefixes: Set<string> },
): Promise<HandwrittenFigures> {
  const manifest = await readCompactManifest(lake);
  const filesOf = (table: string) =>
    Object.values(manifest.partitions)
      .filter((p) => p.table === table && p.parquet && p.day.replaceAll('/', '-') >= window.from && p.day.replaceAll('/', '-') <= addDays(window.to, 1))
      .map((p) => `${lake.dir}/${p.parquet!.path}`);
  const trail = filesOf('cloudtrail_logs');
  const logs = filesOf('s3_access_logs');
  const list = (values: Iterable<string>) => [...values].map(sqlString).join(', ') || 'NULL';
  const sql = `
    WITH trail AS (
      SELECT eventid, eventtime, eventname, useridentity.arn AS principal, sourceipaddress, errorcode, requestid,
             json_extract_string(requestparameters, '$.imageSetId') AS image_set_id,
             json_extract_string(requestparameters, '$.key') AS object_key
      FROM read_parquet([${trail.map(sqlString).join(', ')}])
      WHERE eventtime >= ${sqlString(`${window.from}T00:00:00`)} AND eventtime < ${sqlString(`${addDays(window.to, 1)}T00:00:00`)}
        AND eventsource IN ('medical-imaging.amazonaws.com', 's3.amazonaws.com')
    )
    SELECT eventtime, principal, eventname, sourceipaddress, coalesce(errorcode, 'success'), requestid, eventid
    FROM trail
    WHERE image_set_id IN (${list(target.imageSetIds)}) OR regexp_extract(object_key, '^[^/]+/[^/]+/') IN (${list(target.keyPrefixes)})
    QUALIFY row_number() OVER (PARTITION BY eventid) = 1
    UNION ALL
    SELECT requestdatetime, requester, operation, remoteip, errorcode, requestid, NULL
    FROM read_parquet([${logs.map(sqlString).join(', ')}])
    WHERE operation LIKE 'REST.%.OBJECT' AND regexp_extract(url_decode(key), '^[^/]+/[^/]+/') IN (${list(target.keyPrefixes)})`;
  const instance = await DuckDBInstance.create(':memory:', { threads: '2', memory_limit: '1GB' });
  const conn = await instance.connect();
  try {
    const runsMs: number[] = [];
    let rows = 0;
    for (let run = 0; run < 3; run++) {
      const started = performance.now();
      rows = (await conn.runAndReadAll(sql)).getRows().length;
      runsMs.push(round(performance.now() - started, 1));
    }
    return { ms: median(runsMs), runsMs, rows, files: trail.length + logs.length };
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}
