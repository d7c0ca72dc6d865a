import fsp from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { cloudTrailDigestKey, objectMetadataSidecar } from '@/lib/lake/layout';
import { assertScope, scanLake, scopeDays } from '@/lib/lake/scan';
import { accessLine, ctRecord, putAccessLog, putCloudTrail, putFile, putInventoryReport, tempLake } from './helpers/lake-builder';

describe('scan scopes', () => {
  it('reads the scope days plus one day of late delivery', () => {
    expect(scopeDays({ from: '2025-02-28', to: '2025-03-01' })).toEqual(['2025/02/28', '2025/03/01', '2025/03/02']);
  });

  it('refuses malformed or inverted scopes', () => {
    expect(() => assertScope({ from: '2025-3-1', to: '2025-03-02' })).toThrow(/YYYY-MM-DD/);
    expect(() => assertScope({ from: '2025-03-02', to: '2025-03-01' })).toThrow(/after/);
  });
});

describe('scanLake', () => {
  const lake = tempLake();
  const keys: Record<string, string> = {};

  beforeAll(() => {
    for (const day of ['01', '02', '03', '04', '05', '06']) {
      keys[`ct-${day}`] = putCloudTrail(lake, { at: `2025-03-${day}T10:00:00Z` }, [ctRecord()]);
      keys[`al-${day}`] = putAccessLog(lake, { day: `2025-03-${day}` }, `${accessLine()}\n`);
    }
    keys.org = putCloudTrail(lake, { at: '2025-03-03T11:00:00Z', organizationId: 'o-abcdefghij', account: '999988887777', region: 'eu-west-1' }, [ctRecord()]);
    keys.otherRegion = putCloudTrail(lake, { at: '2025-03-03T12:00:00Z', region: 'us-west-2' }, [ctRecord()]);
    const digest = cloudTrailDigestKey(lake.layout, { account: '111122223333' }, 'us-east-1', 'trail', 'us-east-1', new Date('2025-03-03T10:00:00Z'));
    putFile(lake, digest, zlib.gzipSync('{}'));
    putFile(lake, objectMetadataSidecar(digest), '{}');
    putFile(lake, path.posix.join(path.posix.dirname(keys['ct-03']!), 'notes.txt'), 'x');
    putFile(lake, path.posix.join(path.posix.dirname(keys['al-03']!), 'README'), 'x');
    putFile(lake, 'truth.json', '{}');
    putFile(lake, '_custos/stage/cloudtrail_logs/x.ndjson', '{}');
  });
  afterAll(() => lake.cleanup());
  afterEach(() => vi.restoreAllMocks());

  it('lists only the CloudTrail and access-log objects of the scope days, in every account and region', async () => {
    const partitions = await scanLake(lake, ['cloudtrail_logs', 's3_access_logs'], { from: '2025-03-03', to: '2025-03-03' });
    const files = partitions.flatMap((p) => p.files.map((f) => f.path)).sort();
    expect(files).toEqual([keys['ct-03'], keys['ct-04'], keys.org, keys.otherRegion, keys['al-03'], keys['al-04']].sort());
    const org = partitions.find((p) => p.files.some((f) => f.path === keys.org))!;
    expect(org.files[0]!.partition).toEqual({ account: '999988887777', region: 'eu-west-1', timestamp: '2025/03/03' });
    const access = partitions.find((p) => p.table === 's3_access_logs' && p.day === '2025/03/04')!;
    expect(access.files[0]!.partition).toEqual({ timestamp: '2025/03/04' });
  });

  it('never lists day folders outside the scope', async () => {
    const listed: string[] = [];
    const readdir = fsp.readdir.bind(fsp);
    vi.spyOn(fsp, 'readdir').mockImplementation(((dir: string, options: never) => {
      listed.push(path.relative(lake.dir, dir));
      return readdir(dir, options);
    }) as typeof fsp.readdir);
    await scanLake(lake, ['cloudtrail_logs', 's3_access_logs'], { from: '2025-03-03', to: '2025-03-03' });
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.filter((d) => /\/2025\/03\/0[1256]$/.test(d) || /\/2025(\/03)?$/.test(d))).toEqual([]);
    expect(listed.some((d) => d.startsWith('_custos'))).toBe(false);
  });

  it('lists every day in full mode and records size, mtime and a fingerprint', async () => {
    const partitions = await scanLake(lake, ['cloudtrail_logs'], 'all');
    expect(partitions.map((p) => p.day).filter((d, i, a) => a.indexOf(d) === i).sort()).toEqual([
      '2025/03/01',
      '2025/03/02',
      '2025/03/03',
      '2025/03/04',
      '2025/03/05',
      '2025/03/06',
    ]);
    const file = partitions[0]!.files[0]!;
    const stat = await fsp.stat(path.join(lake.dir, file.path));
    expect(file).toMatchObject({ size: stat.size, mtimeMs: stat.mtimeMs, fingerprint: `${stat.size}:${stat.mtimeMs}` });
  });
});

describe('scanLake for S3 Inventory and the study catalog', () => {
  const lake = tempLake();
  afterAll(() => lake.cleanup());

  it('reads each report through symlink.txt and its manifest, and flags what cannot be read', async () => {
    const csvReport = putInventoryReport(lake, {
      at: '2025-03-04T01:00:00Z',
      format: 'CSV',
      fileSchema: 'Bucket, Key, Size',
      files: [{ name: 'a.csv.gz', body: zlib.gzipSync('"b","k","1"\n') }],
    });
    await fsp.rm(path.join(lake.dir, csvReport.dataKeys[0]!));
    putInventoryReport(lake, { at: '2025-03-05T01:00:00Z', format: 'ORC', fileSchema: 'struct<bucket:string>', files: [{ name: 'b.orc', body: Buffer.from('ORC') }] });
    putInventoryReport(lake, { at: '2025-03-06T01:00:00Z', format: 'CSV', fileSchema: 'Bucket, Key', files: [{ name: 'c.csv.gz', body: zlib.gzipSync('"b","k"\n') }], noManifest: true });
    const md5Report = putInventoryReport(lake, {
      at: '2025-03-07T01:00:00Z',
      format: 'CSV',
      fileSchema: 'Bucket, Key',
      files: [{ name: 'd.csv.gz', body: zlib.gzipSync('"b","k"\n') }],
    });
    const partitions = await scanLake(lake, ['s3_inventory'], 'all');
    expect(partitions.map((p) => p.day)).toEqual(['2025-03-04-01-00', '2025-03-05-01-00', '2025-03-06-01-00', '2025-03-07-01-00']);
    const [missing, orc, noManifest, ok] = partitions.map((p) => p.files[0]!);
    expect(missing!.problem).toMatch(/does not exist/);
    expect(orc).toMatchObject({ kind: 'inventory-orc', problem: expect.stringMatching(/ORC/) });
    expect(noManifest!.problem).toMatch(/column order is unknown/);
    expect(ok).toMatchObject({ kind: 'inventory-csv', path: md5Report.dataKeys[0], csvSchema: ['bucket', 'key'], partition: { dt: '2025-03-07-01-00' } });
    expect(ok!.md5).toMatch(/^[0-9a-f]{32}$/);
    expect(ok!.problem).toBeUndefined();
  });

  it('lists catalog objects recursively, skipping hidden names', async () => {
    putFile(lake, 'catalog/study_catalog/part-0.parquet', 'x');
    putFile(lake, 'catalog/study_catalog/facility=A/part-1.parquet', 'x');
    putFile(lake, 'catalog/study_catalog/_SUCCESS', '');
    putFile(lake, 'catalog/study_catalog/.part-0.parquet.crc', '');
    putFile(lake, 'catalog/study_catalog/_temporary/part-2.parquet', 'x');
    const [catalog] = await scanLake(lake, ['study_catalog'], 'all');
    expect(catalog!.files.map((f) => f.path).sort()).toEqual(['catalog/study_catalog/facility=A/part-1.parquet', 'catalog/study_catalog/part-0.parquet']);
  });
});
