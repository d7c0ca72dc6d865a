import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkLake } from '@/lib/lake/check';
import { compactLake } from '@/lib/lake/compact';
import {
  accessLine,
  ctRecord,
  parquetFromSelect,
  putAccessLog,
  putCloudTrail,
  putFile,
  putInventoryReport,
  tempLake,
} from './helpers/lake-builder';

describe('checkLake', () => {
  const lake = tempLake();
  const keys: Record<string, string> = {};

  beforeAll(async () => {
    putCloudTrail(lake, { at: '2025-03-01T08:00:00Z' }, [ctRecord(), ctRecord()]);
    keys.truncated = putCloudTrail(lake, { at: '2025-03-01T09:00:00Z' }, { rawBody: zlib.gzipSync(JSON.stringify({ Records: [ctRecord()] })).subarray(0, 30) });
    keys.mixed = putCloudTrail(lake, { at: '2025-03-02T09:00:00Z' }, [ctRecord(), 42, ctRecord()]);
    keys.access = putAccessLog(lake, { day: '2025-03-01' }, `${accessLine()}\n#garbled\n${accessLine()}\n`);
    const report = putInventoryReport(lake, {
      at: '2025-03-04T01:00:00Z',
      format: 'CSV',
      fileSchema: 'Bucket, Key, Size',
      files: [
        { name: 'good.csv.gz', body: zlib.gzipSync('"b","k1","1"\n"b","k2","2"\n') },
        { name: 'bad.csv.gz', body: zlib.gzipSync('"b","k3","3"\n'), md5: 'ffffffffffffffffffffffffffffffff' },
      ],
    });
    keys.badInventory = report.dataKeys[1]!;
    const parquet = putInventoryReport(lake, {
      at: '2025-03-06T01:00:00Z',
      format: 'Parquet',
      fileSchema: 'message s3.inventory {}',
      files: [{ name: 'p.parquet', body: await parquetFromSelect(`SELECT 'b' AS bucket, 'k9' AS key`), md5: '00000000000000000000000000000000' }],
    });
    keys.badParquet = parquet.dataKeys[0]!;
    const orc = putInventoryReport(lake, { at: '2025-03-05T01:00:00Z', format: 'ORC', fileSchema: 'struct<>', files: [{ name: 'x.orc', body: Buffer.from('ORC') }] });
    keys.orc = orc.dataKeys[0]!;
    putFile(lake, 'catalog/study_catalog/part-0.parquet', await parquetFromSelect(`SELECT * FROM (VALUES ('h1', '1.2.3'), ('h2', '1.2.4')) t(patient_id_hash, study_instance_uid)`));
    keys.notParquet = putFile(lake, 'catalog/study_catalog/readme.txt', 'hello');
  });
  afterAll(() => lake.cleanup());

  const expected = () => ({
    sources: {
      cloudtrail: {
        files: 3,
        records: 4,
        rejected: [
          { file: keys.truncated, line: 0, reason: expect.stringMatching(/gzip/) },
          { file: keys.mixed, line: 2, reason: 'record is not a JSON object' },
        ].sort((a, b) => a.file!.localeCompare(b.file!)),
      },
      s3_access_logs: { files: 1, records: 2, rejected: [{ file: keys.access, line: 2, reason: 'line does not match the access-log format' }] },
      s3_inventory: {
        files: 4,
        records: 2,
        rejected: [
          { file: keys.badInventory, line: 0, reason: expect.stringMatching(/^MD5 mismatch/) },
          { file: keys.orc, line: 0, reason: expect.stringMatching(/ORC/) },
          { file: keys.badParquet, line: 0, reason: expect.stringMatching(/^MD5 mismatch/) },
        ].sort((a, b) => a.file!.localeCompare(b.file!)),
      },
      study_catalog: { files: 2, records: 2, rejected: [{ file: keys.notParquet, line: 0, reason: 'not a Parquet file' }] },
    },
  });

  it('reports files, loaded records and every rejection with its lake-relative path and line', async () => {
    expect(await checkLake(lake)).toEqual(expected());
  });

  it('reports the same after compaction, from the compaction manifest', async () => {
    await compactLake(lake);
    expect(await checkLake(lake)).toEqual(expected());
  });
});
