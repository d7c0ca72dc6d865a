import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installTrinoMacros } from '@/lib/engine/duckdb/macros';
import { createLakeViews, estimateLakeScan } from '@/lib/engine/duckdb/views';
import { EngineError } from '@/lib/engine/port';
import { compactLake } from '@/lib/lake/compact';
import { readCompactManifest } from '@/lib/lake/compact-manifest';
import { duckdbType, tableDefinition, visibleColumns } from '@/lib/lake/schema';
import {
  accessLine,
  ctRecord,
  parquetFromSelect,
  putAccessLog,
  putCloudTrail,
  putFile,
  putInventoryReport,
  tempLake,
} from '../../lake/helpers/lake-builder';
import { type LakeTable, LAKE_TABLES } from '@/lib/lake/tables';

async function openConnection(): Promise<{ conn: DuckDBConnection; close(): void }> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  await installTrinoMacros(conn);
  return { conn, close: () => (conn.closeSync(), instance.closeSync()) };
}

async function rows(conn: DuckDBConnection, sql: string) {
  return (await conn.runAndReadAll(sql)).getRowObjectsJson();
}

async function describeView(conn: DuckDBConnection, table: LakeTable) {
  return (await rows(conn, `DESCRIBE ${table}`)).map((r) => [r.column_name, r.column_type]);
}

/** The DDL's columns with DuckDB's own spelling of each type. */
async function expectedColumns(conn: DuckDBConnection, table: LakeTable) {
  const out = [];
  for (const c of visibleColumns(tableDefinition(table))) {
    const [row] = await rows(conn, `SELECT typeof(CAST(NULL AS ${duckdbType(c.type)})) AS t`);
    out.push([c.name, row!.t]);
  }
  return out;
}

const ALL_CT = 'SELECT * FROM cloudtrail_logs ORDER BY eventid';
const ALL_AL = 'SELECT * FROM s3_access_logs ORDER BY requestid';
const DAY = { from: '2025-03-03', to: '2025-03-03' };

describe('lake views', () => {
  const lake = tempLake();
  let db: Awaited<ReturnType<typeof openConnection>>;
  const dayFiles: Record<string, string[]> = {};

  beforeAll(async () => {
    db = await openConnection();
    for (const day of ['01', '02', '03', '04', '05']) {
      dayFiles[day] = [
        putCloudTrail(lake, { at: `2025-03-${day}T10:00:00Z` }, [ctRecord(), ctRecord({ eventName: 'PutObject' })]),
        putCloudTrail(lake, { at: `2025-03-${day}T11:00:00Z`, region: 'us-west-2' }, [ctRecord({ awsRegion: 'us-west-2' })]),
        putAccessLog(lake, { day: `2025-03-${day}` }, `${accessLine()}\n${accessLine()}\n`),
      ];
    }
  });
  afterAll(() => {
    db.close();
    lake.cleanup();
  });

  it('refuses an unbounded scan of a log table', async () => {
    await expect(createLakeViews(db.conn, lake, ['cloudtrail_logs'], null)).rejects.toMatchObject({ code: 'limit' });
    await expect(estimateLakeScan(lake, { tables: ['s3_access_logs'], scope: null })).rejects.toBeInstanceOf(EngineError);
  });

  it('gives every view the DDL columns and DuckDB types, empty when the table is not requested', async () => {
    await createLakeViews(db.conn, lake, [], null);
    for (const table of LAKE_TABLES) {
      expect(await describeView(db.conn, table)).toEqual(await expectedColumns(db.conn, table));
      expect(await rows(db.conn, `SELECT count(*) AS n FROM ${table}`)).toEqual([{ n: '0' }]);
    }
  });

  it('opens only the objects of the scope day and the next one (raw)', async () => {
    const inScope = [...dayFiles['03']!, ...dayFiles['04']!];
    const bytes = inScope.reduce((n, k) => n + fs.statSync(path.join(lake.dir, k)).size, 0);
    const stats = await createLakeViews(db.conn, lake, ['cloudtrail_logs', 's3_access_logs'], DAY);
    expect(stats).toEqual({ files: 6, bytes, partitions: 6 });
    expect(await estimateLakeScan(lake, { tables: ['cloudtrail_logs', 's3_access_logs'], scope: DAY })).toEqual(stats);
    expect(await rows(db.conn, 'SELECT "timestamp", count(*) AS n FROM cloudtrail_logs GROUP BY 1 ORDER BY 1')).toEqual([
      { timestamp: '2025/03/03', n: '3' },
      { timestamp: '2025/03/04', n: '3' },
    ]);
    expect(await rows(db.conn, 'SELECT count(*) AS n FROM s3_access_logs')).toEqual([{ n: '4' }]);
  });

  it('reads the same rows whether days are raw, compacted or half compacted', async () => {
    const scope = { from: '2025-03-01', to: '2025-03-06' };
    await createLakeViews(db.conn, lake, ['cloudtrail_logs', 's3_access_logs'], scope);
    const rawCt = await rows(db.conn, ALL_CT);
    const rawAl = await rows(db.conn, ALL_AL);
    expect(rawCt).toHaveLength(15);
    expect(rawAl).toHaveLength(10);

    await compactLake(lake);
    const compacted = await createLakeViews(db.conn, lake, ['cloudtrail_logs', 's3_access_logs'], scope);
    expect(compacted.files).toBe(15);
    expect(await rows(db.conn, ALL_CT)).toEqual(rawCt);
    expect(await rows(db.conn, ALL_AL)).toEqual(rawAl);
    for (const table of ['cloudtrail_logs', 's3_access_logs'] as const) {
      expect(await describeView(db.conn, table)).toEqual(await expectedColumns(db.conn, table));
    }

    const lateDay03 = putCloudTrail(lake, { at: '2025-03-03T23:55:00Z' }, [ctRecord({ eventName: 'Late' })]);
    const newDay06 = putCloudTrail(lake, { at: '2025-03-06T01:00:00Z' }, [ctRecord({ eventName: 'New' })]);
    const half = await createLakeViews(db.conn, lake, ['cloudtrail_logs', 's3_access_logs'], scope);
    expect(half.files).toBe(17);
    const halfCt = await rows(db.conn, ALL_CT);
    expect(halfCt).toHaveLength(17);
    expect(new Set(halfCt.map((r) => r.eventid)).size).toBe(17);
    expect(halfCt.filter((r) => r.eventname === 'Late' || r.eventname === 'New').map((r) => r.timestamp)).toEqual(
      expect.arrayContaining(['2025/03/03', '2025/03/06']),
    );

    await compactLake(lake);
    await createLakeViews(db.conn, lake, ['cloudtrail_logs', 's3_access_logs'], scope);
    expect(await rows(db.conn, ALL_CT)).toEqual(halfCt);
    const manifest = await readCompactManifest(lake);
    const day03 = Object.values(manifest.partitions).find((p) => p.id === path.posix.dirname(lateDay03))!;
    expect(day03.sources.map((s) => s.path)).toContain(lateDay03);
    expect(fs.readdirSync(path.join(lake.dir, path.posix.dirname(day03.parquet!.path)))).toEqual([path.posix.basename(day03.parquet!.path)]);
    expect(Object.values(manifest.partitions).some((p) => p.sources.some((s) => s.path === newDay06))).toBe(true);
  });

  it('opens only the compacted partitions of the scope once compacted', async () => {
    const manifest = await readCompactManifest(lake);
    const inScope = Object.values(manifest.partitions).filter((p) => p.day === '2025/03/03' || p.day === '2025/03/04');
    const stats = await createLakeViews(db.conn, lake, ['cloudtrail_logs', 's3_access_logs'], DAY);
    expect(stats).toEqual({ files: inScope.length, bytes: inScope.reduce((n, p) => n + p.parquet!.bytes, 0), partitions: inScope.length });
  });

  it('keeps reading a compacted object as compacted until compaction sees it changed, then reads the new content', async () => {
    const key = dayFiles['05']![0]!;
    const day05 = { from: '2025-03-05', to: '2025-03-05' };
    const names = async () =>
      (await rows(db.conn, `SELECT eventname FROM cloudtrail_logs WHERE "timestamp" = '2025/03/05' AND region = 'us-east-1'`)).map((r) => r.eventname);
    await createLakeViews(db.conn, lake, ['cloudtrail_logs'], day05);
    const compacted = await names();
    fs.writeFileSync(path.join(lake.dir, key), zlib.gzipSync(JSON.stringify({ Records: [ctRecord({ eventName: 'Rewritten' })] })));
    fs.utimesSync(path.join(lake.dir, key), new Date(), new Date(Date.now() + 5000));
    // Query planning does not stat objects a partition already holds (log objects are written once) …
    await createLakeViews(db.conn, lake, ['cloudtrail_logs'], day05);
    expect(await names()).toEqual(compacted);
    // … compaction does, and rebuilds the partition from the object's new content.
    await compactLake(lake);
    await createLakeViews(db.conn, lake, ['cloudtrail_logs'], day05);
    expect(await names()).toEqual(['Rewritten']);
  });
});

describe('the saved queries\' dedupe over the views', () => {
  it('runs row_number() … WHERE copy = 1 over a time-ranged CTE, grouped by hour', async () => {
    const lake = tempLake();
    const db = await openConnection();
    try {
      const records = Array.from({ length: 40 }, (_, i) =>
        ctRecord({ eventSource: 'kms.amazonaws.com', eventName: 'Decrypt', errorCode: 'AccessDenied', eventTime: `2025-03-04T1${i % 10}:00:00Z`, eventID: `id-${i % 30}`, requestParameters: { keyId: `k${i % 3}` } }),
      );
      putCloudTrail(lake, { at: '2025-03-04T20:00:00Z' }, records);
      await createLakeViews(db.conn, lake, ['cloudtrail_logs'], { from: '2025-03-04', to: '2025-03-04' });
      const result = await rows(
        db.conn,
        `WITH denied AS (
           SELECT eventid, eventtime, useridentity.arn AS principal, json_extract_scalar(requestparameters, '$.keyId') AS key_arn,
                  row_number() OVER (PARTITION BY eventid ORDER BY eventtime) AS copy
           FROM cloudtrail_logs
           WHERE from_iso8601_timestamp(eventtime) >= TIMESTAMPTZ '2025-03-04 00:00:00+00'
             AND from_iso8601_timestamp(eventtime) < TIMESTAMPTZ '2025-03-05 00:00:00+00')
         SELECT date_format(date_trunc('hour', from_iso8601_timestamp(eventtime)), '%Y-%m-%dT%H:00:00Z') AS hour, key_arn, principal,
                count(*) AS denied, min(eventtime) AS first_denied
         FROM denied WHERE copy = 1
         GROUP BY date_trunc('hour', from_iso8601_timestamp(eventtime)), key_arn, principal
         ORDER BY hour, key_arn`,
      );
      expect(result.reduce((n, r) => n + Number(r.denied), 0)).toBe(30);
      expect(result.slice(0, 3).map((r) => [r.hour, r.key_arn, r.denied])).toEqual([
        ['2025-03-04T10:00:00Z', 'k0', '1'],
        ['2025-03-04T10:00:00Z', 'k1', '1'],
        ['2025-03-04T10:00:00Z', 'k2', '1'],
      ]);
    } finally {
      db.close();
      lake.cleanup();
    }
  });
});

describe('inventory and catalog views', () => {
  const lake = tempLake();
  let db: Awaited<ReturnType<typeof openConnection>>;
  const csvSchema =
    'Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, ETag, StorageClass, IsMultipartUploaded, ReplicationStatus, EncryptionStatus, ObjectLockRetainUntilDate, ObjectLockMode, ObjectLockLegalHoldStatus, IntelligentTieringAccessTier, BucketKeyStatus, ChecksumAlgorithm';

  beforeAll(async () => {
    db = await openConnection();
    putInventoryReport(lake, {
      at: '2025-03-04T01:00:00Z',
      format: 'CSV',
      fileSchema: csvSchema,
      files: [
        {
          name: 'r1.csv.gz',
          body: zlib.gzipSync(
            '"phi-dicom-archive","studies%2F1%2Fa+b.dcm","v1","true","false","10","2025-03-01T10:00:00.000Z","e","GLACIER","false","","SSE-KMS","2032-03-01T00:00:00.000Z","COMPLIANCE","ON","","ENABLED",""\n',
          ),
        },
      ],
    });
    const parquet = await parquetFromSelect(`SELECT 'phi-dicom-archive' AS bucket, 'studies/2/b.dcm' AS key, 'v9' AS version_id, true AS is_latest, false AS is_delete_marker,
      20::BIGINT AS size, TIMESTAMPTZ '2025-03-02 10:00:00+00' AS last_modified_date, 'STANDARD' AS storage_class`);
    putInventoryReport(lake, { at: '2025-03-05T01:00:00Z', format: 'Parquet', fileSchema: 'message s3.inventory {}', files: [{ name: 'p1.parquet', body: parquet }] });
    putInventoryReport(lake, { at: '2025-03-06T01:00:00Z', format: 'ORC', fileSchema: 'struct<>', files: [{ name: 'o1.orc', body: Buffer.from('ORC-bytes') }] });
    putFile(
      lake,
      'catalog/study_catalog/part-0.parquet',
      await parquetFromSelect(`SELECT 'h1' AS Patient_Id_Hash, '1.2.3' AS study_instance_uid, DATE '2015-01-02' AS study_date, true AS vip, 'CT' AS modality`),
    );
    putFile(lake, 'catalog/study_catalog/notes.txt', 'not parquet');
  });
  afterAll(() => {
    db.close();
    lake.cleanup();
  });

  const INVENTORY = `SELECT dt, bucket, key, version_id, is_latest, is_delete_marker, size, CAST(last_modified_date AS VARCHAR) AS lm,
    CAST(object_lock_retain_until_date AS VARCHAR) AS retain, storage_class, object_lock_legal_hold_status FROM s3_inventory ORDER BY dt`;

  it('reads CSV and Parquet reports into the s3_inventory columns and skips the ORC one', async () => {
    const stats = await createLakeViews(db.conn, lake, ['s3_inventory', 'study_catalog'], null);
    expect(stats.files).toBe(3);
    expect(await describeView(db.conn, 's3_inventory')).toEqual(await expectedColumns(db.conn, 's3_inventory'));
    expect(await rows(db.conn, INVENTORY)).toEqual([
      {
        dt: '2025-03-04-01-00',
        bucket: 'phi-dicom-archive',
        key: 'studies/1/a b.dcm',
        version_id: 'v1',
        is_latest: true,
        is_delete_marker: false,
        size: '10',
        lm: '2025-03-01 10:00:00',
        retain: '2032-03-01 00:00:00',
        storage_class: 'GLACIER',
        object_lock_legal_hold_status: 'ON',
      },
      {
        dt: '2025-03-05-01-00',
        bucket: 'phi-dicom-archive',
        key: 'studies/2/b.dcm',
        version_id: 'v9',
        is_latest: true,
        is_delete_marker: false,
        size: '20',
        lm: '2025-03-02 10:00:00',
        retain: null,
        storage_class: 'STANDARD',
        object_lock_legal_hold_status: null,
      },
    ]);
  });

  it('keeps the same inventory rows after compacting the CSV report', async () => {
    await createLakeViews(db.conn, lake, ['s3_inventory'], null);
    const before = await rows(db.conn, INVENTORY);
    const summary = await compactLake(lake);
    expect(summary.partitionsWritten).toBe(1);
    await createLakeViews(db.conn, lake, ['s3_inventory'], null);
    expect(await rows(db.conn, INVENTORY)).toEqual(before);
    expect(await describeView(db.conn, 's3_inventory')).toEqual(await expectedColumns(db.conn, 's3_inventory'));
  });

  it('reads the study catalog Parquet by column name, case-insensitively, with the DDL types', async () => {
    await createLakeViews(db.conn, lake, ['study_catalog'], null);
    expect(await describeView(db.conn, 'study_catalog')).toEqual(await expectedColumns(db.conn, 'study_catalog'));
    expect(await rows(db.conn, 'SELECT patient_id_hash, study_instance_uid, CAST(study_date AS VARCHAR) AS d, vip, legal_hold, modality FROM study_catalog')).toEqual([
      { patient_id_hash: 'h1', study_instance_uid: '1.2.3', d: '2015-01-02', vip: true, legal_hold: null, modality: 'CT' },
    ]);
  });
});
