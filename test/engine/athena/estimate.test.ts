import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAthenaEngine } from '@/lib/engine/athena/adapter';
import type { AthenaConfig } from '@/lib/engine/athena/config';
import { dayPrefixes } from '@/lib/engine/athena/scan-estimate';
import { EngineError, athenaCostUsd } from '@/lib/engine/port';
import { AwsReplay, fixture, s3Xml, type ReplayRequest } from '@/test/support/aws-replay';
import { listObjectsV2, testConfig } from './replay-builders';

let replay: AwsReplay;

beforeAll(async () => {
  replay = await AwsReplay.start();
});
afterAll(async () => {
  await replay.close();
});
beforeEach(() => {
  replay.reset();
});

function engine(overrides: Partial<AthenaConfig> = {}) {
  return createAthenaEngine(testConfig(overrides), { athena: replay.athenaClient(), s3: replay.s3Client() });
}

const TRAIL = 'AWSLogs/111122223333/CloudTrail/us-east-1/';
const EMPTY = fixture('s3/list-objects-v2-empty.xml');

function thousandKeys(prefix: string, size: number) {
  return Array.from({ length: 1000 }, (_, i) => ({
    key: `${prefix}111122223333_CloudTrail_us-east-1_20250303T${String(Math.floor(i / 60) % 24).padStart(2, '0')}${String(i % 60).padStart(2, '0')}Z_${String(i).padStart(16, 'A')}.json.gz`,
    size,
  }));
}

/** Answers ListObjectsV2 by prefix and continuation token; unknown prefixes list nothing. */
function bucketListing(pages: Record<string, ((req: ReplayRequest) => ReturnType<typeof s3Xml>)[]>) {
  return (req: ReplayRequest) => {
    const byToken = pages[req.query.prefix ?? ''];
    const index = req.query['continuation-token'] ? Number(req.query['continuation-token'].replace('token-', '')) : 0;
    return byToken?.[index]?.(req) ?? s3Xml(EMPTY);
  };
}

describe('dayPrefixes', () => {
  it('lists whole months once and single days otherwise', () => {
    const march = Array.from({ length: 31 }, (_, i) => `2025/03/${String(i + 1).padStart(2, '0')}`);
    expect(dayPrefixes(['2025/02/27', '2025/02/28', ...march, '2025/04/01'])).toEqual([
      '2025/02/27/',
      '2025/02/28/',
      '2025/03/',
      '2025/04/01/',
    ]);
    expect(dayPrefixes(['2024/02/28'])).toEqual(['2024/02/28/']);
  });
});

describe('Athena estimate', () => {
  it('sums every ListObjectsV2 page of the CloudTrail partitions in scope, one extra day for late delivery', async () => {
    replay.on(
      's3:ListObjectsV2',
      bucketListing({
        [`${TRAIL}2025/03/03/`]: [
          () => listObjectsV2({ bucket: 'custos-logs', prefix: `${TRAIL}2025/03/03/`, keys: thousandKeys(`${TRAIL}2025/03/03/`, 1000), nextContinuationToken: 'token-1' }),
          () => listObjectsV2({ bucket: 'custos-logs', prefix: `${TRAIL}2025/03/03/`, keys: thousandKeys(`${TRAIL}2025/03/03/`, 24).slice(0, 250), continuationToken: 'token-1' }),
        ],
        [`${TRAIL}2025/03/04/`]: [() => s3Xml(fixture('s3/list-objects-v2-cloudtrail-day.xml'))],
      }),
    );
    const estimate = await engine().estimate({ tables: ['cloudtrail_logs'], scope: { from: '2025-03-03', to: '2025-03-04' } });
    const bytes = 1000 * 1000 + 250 * 24 + (18432 + 20581 + 9216);
    expect(estimate).toEqual({ files: 1253, bytes, partitions: 3, costUsd: athenaCostUsd(bytes) });

    const listed = replay.requests('s3:ListObjectsV2');
    expect(listed.every((r) => r.bucket === 'custos-logs' && r.query['list-type'] === '2')).toBe(true);
    expect(listed.map((r) => [r.query.prefix, r.query['continuation-token'] ?? null]).sort()).toEqual([
      [`${TRAIL}2025/03/03/`, null],
      [`${TRAIL}2025/03/03/`, 'token-1'],
      [`${TRAIL}2025/03/04/`, null],
      [`${TRAIL}2025/03/05/`, null],
    ]);
  });

  it('covers every configured account × Region under the organization path, month prefixes for whole months', async () => {
    replay.on('s3:ListObjectsV2', (req) =>
      listObjectsV2({ bucket: 'custos-logs', prefix: req.query.prefix ?? '', keys: [{ key: `${req.query.prefix}x.json.gz`, size: 100 }] }),
    );
    const estimate = await engine({
      accounts: ['111122223333', '444455556666'],
      regions: ['us-east-1', 'us-west-2'],
      organizationId: 'o-a1b2c3d4e5',
      layout: { ...testConfig().layout, cloudtrailPrefix: 'trail/' },
    }).estimate({ tables: ['cloudtrail_logs'], scope: { from: '2025-03-01', to: '2025-03-31' } });
    const prefixes = replay.requests('s3:ListObjectsV2').map((r) => r.query.prefix).sort();
    const expected = ['111122223333', '444455556666'].flatMap((a) =>
      ['us-east-1', 'us-west-2'].flatMap((r) => [
        `trail/AWSLogs/o-a1b2c3d4e5/${a}/CloudTrail/${r}/2025/03/`,
        `trail/AWSLogs/o-a1b2c3d4e5/${a}/CloudTrail/${r}/2025/04/01/`,
      ]),
    );
    expect(prefixes).toEqual(expected.sort());
    expect(estimate).toMatchObject({ files: 8, bytes: 800, partitions: 4 * 32 });
  });

  it('discovers accounts and Regions from the bucket when none are configured', async () => {
    replay.on('s3:ListObjectsV2', (req) => {
      const prefix = req.query.prefix ?? '';
      if (req.query.delimiter === '/' && prefix === 'AWSLogs/') {
        return listObjectsV2({ bucket: 'custos-logs', prefix, delimiter: '/', folders: ['AWSLogs/111122223333/', 'AWSLogs/o-a1b2c3d4e5/'] });
      }
      if (req.query.delimiter === '/' && prefix === 'AWSLogs/111122223333/CloudTrail/') {
        return listObjectsV2({ bucket: 'custos-logs', prefix, delimiter: '/', folders: [`${prefix}eu-west-1/`, `${prefix}us-east-1/`] });
      }
      return listObjectsV2({ bucket: 'custos-logs', prefix, keys: [{ key: `${prefix}a.json.gz`, size: 7 }] });
    });
    const estimate = await engine({ accounts: [], regions: [] }).estimate({
      tables: ['cloudtrail_logs'],
      scope: { from: '2025-03-04', to: '2025-03-04' },
    });
    expect(estimate).toMatchObject({ files: 4, bytes: 28, partitions: 4 });
    const dataPrefixes = replay
      .requests('s3:ListObjectsV2')
      .filter((r) => r.query.delimiter === undefined)
      .map((r) => r.query.prefix)
      .sort();
    expect(dataPrefixes).toEqual([
      'AWSLogs/111122223333/CloudTrail/eu-west-1/2025/03/04/',
      'AWSLogs/111122223333/CloudTrail/eu-west-1/2025/03/05/',
      'AWSLogs/111122223333/CloudTrail/us-east-1/2025/03/04/',
      'AWSLogs/111122223333/CloudTrail/us-east-1/2025/03/05/',
    ]);
  });

  it('reads access logs, inventory and catalog from their prefixes', async () => {
    const inventory = 'inventory/custos-imaging-archive/';
    replay.on('s3:ListObjectsV2', (req) => {
      const prefix = req.query.prefix ?? '';
      if (prefix === inventory) {
        return listObjectsV2({
          bucket: 'custos-logs',
          prefix,
          keys: [
            { key: `${inventory}daily/2025-03-04T01-00Z/manifest.json`, size: 900, lastModified: '2025-03-04T01:10:00.000Z' },
            { key: `${inventory}daily/data/0b1c.parquet`, size: 50_000, lastModified: '2025-03-04T01:09:00.000Z' },
            { key: `${inventory}daily/hive/dt=2025-03-04-01-00/symlink.txt`, size: 120, lastModified: '2025-03-04T01:10:00.000Z' },
            { key: `${inventory}daily/data/9f8e.parquet`, size: 70_000, lastModified: '2025-02-01T01:09:00.000Z' },
            { key: `${inventory}daily/hive/dt=2025-02-01-01-00/symlink.txt`, size: 120, lastModified: '2025-02-01T01:10:00.000Z' },
          ],
        });
      }
      if (prefix.startsWith('s3-access-logs/') || prefix === 'catalog/study_catalog/') {
        return listObjectsV2({ bucket: req.bucket ?? '', prefix, keys: [{ key: `${prefix}obj`, size: 1_000 }] });
      }
      return listObjectsV2({ bucket: 'custos-logs', prefix });
    });
    const estimate = await engine({ catalogBucket: 'custos-catalog' }).estimate({
      tables: ['s3_access_logs', 's3_inventory', 'study_catalog'],
      scope: { from: '2025-03-04', to: '2025-03-04' },
    });
    expect(estimate).toEqual({ files: 2 + 1 + 1, bytes: 2_000 + 50_000 + 1_000, partitions: 2 + 1 + 0, costUsd: athenaCostUsd(53_000) });
    const listed = replay.requests('s3:ListObjectsV2').map((r) => `${r.bucket}:${r.query.prefix}`).sort();
    expect(listed).toEqual([
      'custos-catalog:catalog/study_catalog/',
      `custos-logs:${inventory}`,
      'custos-logs:s3-access-logs/111122223333/us-east-1/custos-imaging-archive/2025/03/04/',
      'custos-logs:s3-access-logs/111122223333/us-east-1/custos-imaging-archive/2025/03/05/',
    ]);
  });

  it('prices the days an access query reads from the index as the index objects of those days, and the raw logs only beside them', async () => {
    const indexPrefix = 'access_index/';
    replay.on('s3:ListObjectsV2', (req) => {
      const prefix = req.query.prefix ?? '';
      if (req.bucket === 'custos-index') {
        // one listing from the first day on; objects of later days (a failed attempt past the watermark) stop it
        expect(req.query['start-after']).toBe(`${indexPrefix}day=2025-03-01`);
        const keys = ['2025-03-01', '2025-03-02', '2025-03-02', '2025-03-04'].map((day, i) => ({ key: `${indexPrefix}day=${day}/part-${i}.parquet`, size: 1000 + i }));
        return listObjectsV2({ bucket: 'custos-index', prefix, keys });
      }
      return listObjectsV2({ bucket: req.bucket!, prefix, keys: [{ key: `${prefix}x.json.gz`, size: 100_000 }] });
    });
    const indexed = engine({ indexLocation: `s3://custos-index/${indexPrefix}` });
    const estimate = await indexed.estimate({
      tables: ['cloudtrail_logs', 's3_access_logs', 'study_catalog'],
      scope: { from: '2025-03-01', to: '2025-03-03' },
      accessIndex: { indexed: { from: '2025-03-01', to: '2025-03-02' }, rawScope: { from: '2025-03-02', to: '2025-03-03' } },
    });
    const logPrefixes = replay.requests('s3:ListObjectsV2').filter((r) => r.bucket === 'custos-logs').map((r) => r.query.prefix!);
    // the raw part: its days, the day before and the next (late delivery), not the indexed days
    expect(logPrefixes.filter((p) => p.startsWith(TRAIL)).sort()).toEqual([`${TRAIL}2025/03/02/`, `${TRAIL}2025/03/03/`, `${TRAIL}2025/03/04/`]);
    const rawBytes = logPrefixes.length * 100_000; // log partitions and the catalog (in the log bucket here), one object each
    const indexBytes = 1000 + 1001 + 1002;
    expect(estimate).toEqual({ files: logPrefixes.length + 3, bytes: rawBytes + indexBytes, partitions: 6 + 2, costUsd: athenaCostUsd(rawBytes + indexBytes) });

    // every day indexed: no log partition is listed at all
    replay.reset();
    replay.on('s3:ListObjectsV2', (req) => listObjectsV2({ bucket: req.bucket!, prefix: req.query.prefix ?? '', keys: [] }));
    const whole = await indexed.estimate({ tables: ['cloudtrail_logs'], scope: { from: '2025-03-01', to: '2025-03-02' }, accessIndex: { indexed: { from: '2025-03-01', to: '2025-03-02' }, rawScope: null } });
    expect(whole).toEqual({ files: 0, bytes: 0, partitions: 0, costUsd: athenaCostUsd(0) }); // Athena's 10 MB minimum
    expect(replay.requests('s3:ListObjectsV2').map((r) => r.bucket)).toEqual(['custos-index']);
  });

  it('refuses a log table without a date range', async () => {
    await expect(engine().estimate({ tables: ['cloudtrail_logs'], scope: null })).rejects.toThrow(EngineError);
    await expect(engine().estimate({ tables: ['s3_access_logs'], scope: null })).rejects.toThrow(/needs a date range/);
    expect(replay.received).toHaveLength(0);
  });

  it('retries a throttled listing (SlowDown)', async () => {
    replay.on(
      's3:ListObjectsV2',
      s3Xml('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>1</RequestId><HostId>h</HostId></Error>', 503),
      (req) => listObjectsV2({ bucket: 'custos-logs', prefix: req.query.prefix ?? '', keys: [{ key: `${req.query.prefix}k`, size: 5 }] }),
    );
    const estimate = await engine().estimate({ tables: ['cloudtrail_logs'], scope: { from: '2025-03-04', to: '2025-03-04' } });
    expect(estimate).toMatchObject({ files: 2, bytes: 10 });
    expect(replay.requests('s3:ListObjectsV2')).toHaveLength(3);
  });
});

describe('Athena dataWindow', () => {
  it('ends at the newest CloudTrail day folder and spans 30 days', async () => {
    replay.on('s3:ListObjectsV2', (req) => {
      const prefix = req.query.prefix ?? '';
      const folders: Record<string, string[]> = {
        [TRAIL]: ['2024', '2025'],
        [`${TRAIL}2025/`]: ['01', '03', '02'],
        [`${TRAIL}2025/03/`]: ['01', '02', '09'],
      };
      return listObjectsV2({ bucket: 'custos-logs', prefix, delimiter: '/', folders: (folders[prefix] ?? []).map((f) => `${prefix}${f}/`) });
    });
    expect(await engine().dataWindow()).toEqual({ from: '2025-02-08', to: '2025-03-09' });
  });

  it('is null when the bucket cannot be listed', async () => {
    replay.on('s3:ListObjectsV2', s3Xml(fixture('s3/error-access-denied-list-bucket.xml'), 403));
    expect(await engine().dataWindow()).toBeNull();
  });
});
