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

export type IndexBuildFigures = { seconds: number; days: number; rows: number; bytes: number; through: string | null };

export async function buildAccessIndex(lake: LakeLocation): Promise<IndexBuildFigures> {
  const report = await refreshLocalAccessIndex(lake);
  return { seconds: report.seconds, days: report.daysBuilt, rows: report.rows, bytes: report.bytesWritten, through: report.through };
}

export type IndexBytesFigures = {
  /** Raw CloudTrail and access-log objects (as delivered, gzip) in the window's partitions: what Athena scans over the raw tables. */
  rawBytes: number;
  /** Index Parquet files of the window's indexed days: an upper bound of what Athena scans (it reads only the columns used). */
  indexBytes: number;
  /** Raw objects of the days after the index's watermark, which a run still reads raw. */
  rawTailBytes: number;
  ratio: number;
};

export async function indexBytesFor(lake: LakeLocation, window: Window): Promise<IndexBytesFigures> {
  const manifest = await readAccessIndexManifest(lake);
  const sizeOf = async (scope: Window | null) => {
    if (!scope || scope.from > scope.to) return 0;
    const partitions = await scanLake(lake, [...LOG_TABLES], scope);
    return partitions.reduce((sum, p) => sum + p.files.reduce((s, f) => s + f.size, 0), 0);
  };
  const rawBytes = await sizeOf(window);
  const through = manifest.through && manifest.through >= window.from ? manifest.through : null;
  const indexBytes = through ? indexFiles(lake, manifest, window.from, through).reduce((sum, f) => sum + f.bytes, 0) : 0;
  const tail = through ? (through >= window.to ? null : { from: addDays(through, 1), to: window.to }) : window;
  const rawTailBytes = await sizeOf(tail);
  return { rawBytes, indexBytes, rawTailBytes, ratio: round(rawBytes / Math.max(1, indexBytes + rawTailBytes), 1) };
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
