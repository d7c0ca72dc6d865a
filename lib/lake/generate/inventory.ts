// S3 Inventory of the archive bucket (aws-formats.md §6): config `daily-full`, all versions, weekly
// on Sundays plus one report on the window's last day; CSV reports in the first half of the window,
// Parquet later. Also totals the latest report for truth.json.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import { inventoryPaths } from '@/lib/lake/layout';
import { STORAGE_CLASSES, transitionAt, type StorageClass } from './lifecycle';
import { ParquetWriter, type ParquetColumn } from './parquet';
import { rngFor } from './random';
import { addDays, dayStart, daysFrom } from './time';
import { ARCHIVE_BUCKET, INVENTORY_CONFIG_ID, LOG_BUCKET, type World } from './world';

export const AGE_BANDS = ['<30d', '30-90d', '90d-1y', '1-3y', '3-7y', '>7y'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];

/** Study age band at a report date, in whole days (boundaries where days and calendar years disagree are never generated). */
export function ageBand(studyDate: string, reportDate: string): AgeBand {
  const age = daysFrom(studyDate, reportDate);
  if (age < 30) return '<30d';
  if (age < 90) return '30-90d';
  if (age < 365) return '90d-1y';
  if (age < 1095) return '1-3y';
  if (age < 2555) return '3-7y';
  return '>7y';
}

export const CSV_FILE_SCHEMA =
  'Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, ETag, StorageClass, IsMultipartUploaded, ReplicationStatus, EncryptionStatus, ObjectLockRetainUntilDate, ObjectLockMode, ObjectLockLegalHoldStatus, IntelligentTieringAccessTier, BucketKeyStatus, ChecksumAlgorithm';

/** The Parquet message schema of the data files as written (DuckDB writes timestamps without the UTC-adjusted flag). */
export const PARQUET_FILE_SCHEMA =
  'message s3.inventory {  required binary bucket (STRING);  required binary key (STRING);  optional binary version_id (STRING);  optional boolean is_latest;  optional boolean is_delete_marker;  optional int64 size;  optional int64 last_modified_date (TIMESTAMP(MILLIS,false));  optional binary e_tag (STRING);  optional binary storage_class (STRING);  optional boolean is_multipart_uploaded;  optional binary replication_status (STRING);  optional binary encryption_status (STRING);  optional int64 object_lock_retain_until_date (TIMESTAMP(MILLIS,false));  optional binary object_lock_mode (STRING);  optional binary object_lock_legal_hold_status (STRING);  optional binary intelligent_tiering_access_tier (STRING);  optional binary bucket_key_status (STRING);  optional binary checksum_algorithm (STRING);}';

/** Every object version of the bucket, ordered as the reports list them (by key, newest version first). */
type VersionRow = {
  key: string;
  versionId: string;
  lastModified: number;
  deleteMarker: boolean;
  size: number;
  etag: string;
  multipart: boolean;
  checksum: string;
  retainUntil: number;
  legalHold: boolean;
  study: number;
  /** Transition times to STANDARD_IA, GLACIER, DEEP_ARCHIVE. */
  transitions: [number, number, number];
};

function versionRows(world: World): VersionRow[] {
  const rows: VersionRow[] = [];
  const objects = [...world.objects].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const o of objects) {
    const study = world.studies[o.study]!;
    for (let i = o.versions.length - 1; i >= 0; i--) {
      const v = o.versions[i]!;
      rows.push({
        key: o.key,
        versionId: v.versionId,
        lastModified: v.lastModified,
        deleteMarker: v.deleteMarker,
        size: v.size,
        etag: v.etag,
        multipart: v.multipart,
        checksum: v.checksum,
        retainUntil: dayStart(study.retainUntil),
        legalHold: study.legalHold,
        study: o.study,
        transitions: [transitionAt(v, 30), transitionAt(v, 90), transitionAt(v, 365)],
      });
    }
  }
  return rows;
}

function storageClass(v: VersionRow, at: number): StorageClass {
  return v.transitions[2] <= at ? 'DEEP_ARCHIVE' : v.transitions[1] <= at ? 'GLACIER' : v.transitions[0] <= at ? 'STANDARD_IA' : 'STANDARD';
}

const VERSION_COLUMNS: ParquetColumn[] = [
  { name: 'ord', type: 'BIGINT' },
  { name: 'key', type: 'VARCHAR' },
  { name: 'version_id', type: 'VARCHAR' },
  { name: 'lm', type: 'BIGINT' },
  { name: 'dm', type: 'BOOLEAN' },
  { name: 'size', type: 'BIGINT' },
  { name: 'e_tag', type: 'VARCHAR' },
  { name: 'multipart', type: 'BOOLEAN' },
  { name: 'checksum', type: 'VARCHAR' },
  { name: 'until', type: 'BIGINT' },
  { name: 'hold', type: 'VARCHAR' },
  { name: 't30', type: 'BIGINT' },
  { name: 't90', type: 'BIGINT' },
  { name: 't365', type: 'BIGINT' },
];

/** Rows [first, last] (1-based) of the versions that existed at `at`, in report order. */
function reportQuery(at: number, first: number, last: number, format: 'CSV' | 'Parquet'): string {
  const v = `
    WITH v AS (
      SELECT *, row_number() OVER (PARTITION BY key ORDER BY ord) = 1 AS latest, row_number() OVER (ORDER BY ord) AS n,
             CASE WHEN t365 <= ${at} THEN 'DEEP_ARCHIVE' WHEN t90 <= ${at} THEN 'GLACIER'
                  WHEN t30 <= ${at} THEN 'STANDARD_IA' ELSE 'STANDARD' END AS cls
      FROM versions WHERE lm < ${at}
    )`;
  const range = `FROM v WHERE n BETWEEN ${first} AND ${last} ORDER BY ord`;
  if (format === 'CSV') {
    // Every value quoted, empty fields as "", keys URL-encoded, timestamps ISO 8601 with milliseconds.
    const ts = (col: string) => `strftime(CAST(epoch_ms(${col}) AS TIMESTAMP_MS), '%Y-%m-%dT%H:%M:%S.%gZ')`;
    const live = (expr: string) => `CASE WHEN dm THEN '' ELSE ${expr} END`;
    return `${v}
      SELECT '${ARCHIVE_BUCKET}', replace(url_encode(key), '%2F', '/'), version_id, CAST(latest AS VARCHAR), CAST(dm AS VARCHAR),
             ${live('CAST(size AS VARCHAR)')}, ${ts('lm')}, ${live('e_tag')}, ${live('cls')}, ${live('CAST(multipart AS VARCHAR)')},
             ${live("'COMPLETED'")}, ${live("'SSE-KMS'")}, ${live(ts('until'))}, ${live("'COMPLIANCE'")}, ${live('hold')},
             '', 'DISABLED', ${live('checksum')}
      ${range}`;
  }
  const live = (expr: string, as: string) => `CASE WHEN dm THEN NULL ELSE ${expr} END AS ${as}`;
  return `${v}
    SELECT '${ARCHIVE_BUCKET}' AS bucket, key, version_id, latest AS is_latest, dm AS is_delete_marker,
           ${live('size', 'size')}, CAST(epoch_ms(lm) AS TIMESTAMP_MS) AS last_modified_date, ${live('e_tag', 'e_tag')},
           ${live('cls', 'storage_class')}, ${live('multipart', 'is_multipart_uploaded')}, ${live("'COMPLETED'", 'replication_status')},
           ${live("'SSE-KMS'", 'encryption_status')}, ${live('CAST(epoch_ms(until) AS TIMESTAMP_MS)', 'object_lock_retain_until_date')},
           ${live("'COMPLIANCE'", 'object_lock_mode')}, ${live('hold', 'object_lock_legal_hold_status')},
           CAST(NULL AS VARCHAR) AS intelligent_tiering_access_tier, 'DISABLED' AS bucket_key_status,
           CASE WHEN dm OR checksum = '' THEN NULL ELSE checksum END AS checksum_algorithm
    ${range}`;
}

const ROWS_PER_FILE = 25_000;

export type InventoryReport = { dt: string; date: string; format: 'CSV' | 'Parquet'; rows: number };

export type StorageTotals = {
  storage: Record<StorageClass, { objects: number; bytes: number }>;
  storageByBand: { storageClass: StorageClass; band: AgeBand; objects: number; bytes: number }[];
};

export function reportDates(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) if (new Date(dayStart(d)).getUTCDay() === 0) out.push(d);
  if (out[out.length - 1] !== to) out.push(to);
  return out;
}

export async function writeInventory(world: World, outDir: string) {
  const dates = reportDates(world.from, world.to);
  const midpoint = addDays(world.from, Math.floor(world.days / 2));
  const versions = versionRows(world);
  const reports: InventoryReport[] = [];
  let files = 0;
  let bytes = 0;
  let totals: StorageTotals | null = null;
  const parquet = await ParquetWriter.open();
  const put = async (key: string, body: Buffer) => {
    const file = path.join(outDir, key);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, body);
    files++;
    bytes += body.length;
  };
  try {
    await parquet.load(
      'versions',
      VERSION_COLUMNS,
      versions.map((v, ord) => [ord, v.key, v.versionId, v.lastModified, v.deleteMarker, v.size, v.etag, v.multipart, v.checksum, v.retainUntil, v.legalHold ? 'ON' : 'OFF', ...v.transitions]),
    );
    for (const [index, date] of dates.entries()) {
      const last = index === dates.length - 1;
      // First half CSV, second half Parquet; a window with two reports or more has one of each.
      const format: 'CSV' | 'Parquet' = !last && (date < midpoint || index === 0) ? 'CSV' : 'Parquet';
      const at = dayStart(date);
      const paths = inventoryPaths(world.layout, ARCHIVE_BUCKET, INVENTORY_CONFIG_ID, new Date(at));
      const rng = rngFor(world.seed, 'inventory', date);
      const present = versions.filter((v) => v.lastModified < at);
      const dataFiles: { key: string; size: number; MD5checksum: string }[] = [];
      for (let first = 0; first < present.length; first += ROWS_PER_FILE) {
        const count = Math.min(ROWS_PER_FILE, present.length - first);
        const key = `${paths.dataDir}${rng.uuid()}.${format === 'CSV' ? 'csv.gz' : 'parquet'}`;
        const file = path.join(outDir, key);
        await fs.mkdir(path.dirname(file), { recursive: true });
        let body: Buffer;
        if (format === 'CSV') {
          const plain = `${file}.part`;
          await parquet.copyCsv(reportQuery(at, first + 1, first + count, format), plain);
          body = zlib.gzipSync(await fs.readFile(plain));
          await fs.rm(plain);
          await fs.writeFile(file, body);
        } else {
          await parquet.copy(reportQuery(at, first + 1, first + count, format), file);
          body = await fs.readFile(file);
        }
        files++;
        bytes += body.length;
        dataFiles.push({ key, size: body.length, MD5checksum: createHash('md5').update(body).digest('hex') });
      }
      const manifest = {
        sourceBucket: ARCHIVE_BUCKET,
        destinationBucket: `arn:aws:s3:::${LOG_BUCKET}`,
        version: '2016-11-30',
        creationTimestamp: String(at),
        fileFormat: format,
        fileSchema: format === 'CSV' ? CSV_FILE_SCHEMA : PARQUET_FILE_SCHEMA,
        files: dataFiles,
      };
      const manifestBody = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
      await put(paths.manifest, manifestBody);
      await put(paths.checksum, Buffer.from(`${createHash('md5').update(manifestBody).digest('hex')}\n`));
      await put(paths.symlink, Buffer.from(dataFiles.map((f) => `s3://${LOG_BUCKET}/${f.key}\n`).join('')));
      reports.push({ dt: paths.dt, date, format, rows: present.length });
      if (last) totals = storageTotals(world, present, at, date);
    }
  } finally {
    parquet.close();
  }
  return { reports, totals: totals!, files, bytes };
}

function storageTotals(world: World, present: VersionRow[], at: number, date: string): StorageTotals {
  const storage = Object.fromEntries(STORAGE_CLASSES.map((c) => [c, { objects: 0, bytes: 0 }])) as StorageTotals['storage'];
  const bands = new Map<string, { storageClass: StorageClass; band: AgeBand; objects: number; bytes: number }>();
  for (const v of present) {
    if (v.deleteMarker) continue;
    const cls = storageClass(v, at);
    storage[cls].objects++;
    storage[cls].bytes += v.size;
    const band = ageBand(world.studies[v.study]!.studyDate, date);
    const k = `${cls}|${band}`;
    const b = bands.get(k) ?? { storageClass: cls, band, objects: 0, bytes: 0 };
    b.objects++;
    b.bytes += v.size;
    bands.set(k, b);
  }
  return {
    storage,
    storageByBand: [...bands.values()].sort(
      (a, b) => STORAGE_CLASSES.indexOf(a.storageClass) - STORAGE_CLASSES.indexOf(b.storageClass) || AGE_BANDS.indexOf(a.band) - AGE_BANDS.indexOf(b.band),
    ),
  };
}
