import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import {
  csvSchemaColumns,
  decodeInventoryKey,
  inventoryColumnName,
  isoToUtcTimestamp,
  manifestKeyForHiveDir,
  parseCsvRecord,
  parseInventoryManifest,
  readInventoryCsv,
  s3UriToLakeKey,
} from '@/lib/lake/sources/inventory';
import type { SourceBatch } from '@/lib/lake/sources/types';
import { putFile, tempLake } from './helpers/lake-builder';

const SCHEMA =
  'Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, ETag, StorageClass, IsMultipartUploaded, ReplicationStatus, EncryptionStatus, ObjectLockRetainUntilDate, ObjectLockMode, ObjectLockLegalHoldStatus, IntelligentTieringAccessTier, BucketKeyStatus, ChecksumAlgorithm, ObjectOwner';

describe('inventory keys and CSV', () => {
  it('form-decodes keys: %2F, + as space, %2B as plus, UTF-8 escapes; broken escapes stay literal', () => {
    expect(decodeInventoryKey('studies%2F1.2.840%2Fseries+1%2F0001.dcm')).toBe('studies/1.2.840/series 1/0001.dcm');
    expect(decodeInventoryKey('a%2Bb')).toBe('a+b');
    expect(decodeInventoryKey('raw space ok')).toBe('raw space ok');
    expect(decodeInventoryKey('caf%C3%A9')).toBe('café');
    expect(decodeInventoryKey('100%ZZ%')).toBe('100%ZZ%');
    expect(decodeInventoryKey('bad%C3')).toBe('bad%C3');
  });

  it('splits quoted CSV records with embedded commas and doubled quotes', () => {
    expect(parseCsvRecord('"a","b,c","say ""hi""",""')).toEqual(['a', 'b,c', 'say "hi"', '']);
    expect(parseCsvRecord('plain,"q",')).toEqual(['plain', 'q', '']);
    expect(parseCsvRecord('"unterminated')).toBeNull();
    expect(parseCsvRecord('"a"x,"b"')).toBeNull();
  });

  it('maps manifest field names onto the s3_inventory columns, dropping fields the table lacks', () => {
    expect(inventoryColumnName('ETag')).toBe('e_tag');
    expect(inventoryColumnName('ObjectLockRetainUntilDate')).toBe('object_lock_retain_until_date');
    expect(inventoryColumnName('is_multipart_uploaded')).toBe('is_multipart_uploaded');
    const columns = csvSchemaColumns(SCHEMA);
    expect(columns.slice(0, 4)).toEqual(['bucket', 'key', 'version_id', 'is_latest']);
    expect(columns.at(-1)).toBeNull();
  });

  it('converts ISO instants to UTC TIMESTAMP text', () => {
    expect(isoToUtcTimestamp('2024-05-06T22:37:48.000Z')).toBe('2024-05-06 22:37:48.000');
    expect(isoToUtcTimestamp('2031-01-01T02:00:00+02:00')).toBe('2031-01-01 00:00:00.000');
    expect(isoToUtcTimestamp('May 6, 2024')).toBeNull();
  });

  it('finds the manifest of a hive dt folder and the lake key of a symlink URI', () => {
    expect(manifestKeyForHiveDir('inventory/b/cfg/hive/dt=2025-03-04-01-00')).toBe('inventory/b/cfg/2025-03-04T01-00Z/manifest.json');
    expect(s3UriToLakeKey('s3://custos-demo-logs/inventory/b/cfg/data/x.csv.gz')).toBe('inventory/b/cfg/data/x.csv.gz');
    expect(s3UriToLakeKey('/local/path')).toBeNull();
  });

  it('reads a manifest as AWS writes it', () => {
    const m = parseInventoryManifest(
      JSON.stringify({ sourceBucket: 's', destinationBucket: 'arn:aws:s3:::d', fileFormat: 'Parquet', fileSchema: 'message s3.inventory {}', files: [{ key: 'k', size: 3, MD5checksum: 'ABC' }] }),
    );
    expect(m).toMatchObject({ fileFormat: 'Parquet', files: [{ key: 'k', size: 3, MD5checksum: 'abc' }] });
    expect(() => parseInventoryManifest('{"fileFormat":"XML","files":[]}')).toThrow(/fileFormat/);
  });
});

describe('inventory CSV data files', () => {
  const lake = tempLake();
  afterAll(() => lake.cleanup());
  const csv = [
    '"phi-dicom-archive","studies%2F1.2.3%2Fseries+1%2F0001.dcm","v1","true","false","524288","2025-03-01T10:00:00.000Z","abc","DEEP_ARCHIVE","false","","SSE-KMS","2032-03-01T00:00:00.000Z","COMPLIANCE","OFF","","ENABLED","","owner"',
    '"phi-dicom-archive","studies%2F1.2.3%2Fdeleted","v2","true","true","","2025-03-02T10:00:00.000Z","","","","","","","","","","ENABLED","","owner"',
    '"phi-dicom-archive","too-few-fields"',
  ].join('\n');

  async function read(body: Buffer, md5?: string) {
    const key = putFile(lake, `inventory/phi-dicom-archive/cfg/data/${Math.random().toString(36).slice(2)}.csv.gz`, body);
    const batches: SourceBatch[] = [];
    for await (const b of readInventoryCsv({
      absPath: path.join(lake.dir, key),
      file: key,
      partition: { dt: '2025-03-04-01-00' },
      schema: csvSchemaColumns(SCHEMA),
      ...(md5 ? { md5 } : {}),
    })) {
      batches.push(b);
    }
    return { key, rows: batches.flatMap((b) => b.rows), rejected: batches.flatMap((b) => b.rejected) };
  }

  it('loads rows with decoded keys, typed values, NULL for empty fields, and the dt partition', async () => {
    const body = zlib.gzipSync(csv);
    const { key, rows, rejected } = await read(body);
    expect(rows[0]).toEqual({
      bucket: 'phi-dicom-archive',
      key: 'studies/1.2.3/series 1/0001.dcm',
      version_id: 'v1',
      is_latest: true,
      is_delete_marker: false,
      size: 524288,
      last_modified_date: '2025-03-01 10:00:00.000',
      e_tag: 'abc',
      storage_class: 'DEEP_ARCHIVE',
      is_multipart_uploaded: false,
      replication_status: null,
      encryption_status: 'SSE-KMS',
      object_lock_retain_until_date: '2032-03-01 00:00:00.000',
      object_lock_mode: 'COMPLIANCE',
      object_lock_legal_hold_status: 'OFF',
      intelligent_tiering_access_tier: null,
      bucket_key_status: 'ENABLED',
      checksum_algorithm: null,
      dt: '2025-03-04-01-00',
    });
    expect(rows[1]).toMatchObject({ is_delete_marker: true, size: null, storage_class: null });
    expect(rejected).toEqual([{ file: key, line: 3, reason: '2 fields where the manifest schema has 19' }]);
  });

  it('rejects a data file whose MD5 differs from the manifest, without reading rows', async () => {
    const { key, rows, rejected } = await read(zlib.gzipSync(csv), '0123456789abcdef0123456789abcdef');
    expect(rows).toEqual([]);
    expect(rejected).toEqual([{ file: key, line: 0, reason: expect.stringMatching(/^MD5 mismatch: the manifest lists 0123456789abcdef0123456789abcdef, the file has [0-9a-f]{32}$/) }]);
  });

  it('rejects a truncated gzip data file whole', async () => {
    const body = zlib.gzipSync(csv.repeat(50));
    const { key, rejected } = await read(body.subarray(0, body.length - 20));
    expect(rejected).toEqual([{ file: key, line: 0, reason: expect.stringMatching(/^unreadable/) }]);
  });
});
