import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAthenaEngine } from '@/lib/engine/athena/adapter';
import type { AthenaConfig } from '@/lib/engine/athena/config';
import { AwsReplay, fixture, s3Xml, type ReplayRequest, type ReplayResponse } from '@/test/support/aws-replay';
import { listObjectsV2, testConfig } from './replay-builders';

// Log coverage on Athena: ListObjectsV2 per day prefix of the window (and folder listings for
// where the logs begin and end), answered with recorded responses.

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

const BUCKET = 'custos-logs';
const TRAIL = 'AWSLogs/111122223333/CloudTrail/us-east-1/';
const ACCESS = 's3-access-logs/111122223333/us-east-1/custos-imaging-archive/';
const INVENTORY = 'inventory/custos-imaging-archive/';

const trailKey = (at: string, unique = 'Q2hXVC9Mbr6fTq3e') => {
  const d = new Date(at);
  const p = (n: number) => String(n).padStart(2, '0');
  const day = `${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())}`;
  const stamp = `${day.replaceAll('/', '')}T${p(d.getUTCHours())}${p(d.getUTCMinutes())}Z`;
  return { key: `${TRAIL}${day}/111122223333_CloudTrail_us-east-1_${stamp}_${unique}.json.gz`, size: 18_432, lastModified: new Date(d.getTime() + 90_000).toISOString() };
};

/** 2025-03-03 as CloudTrail delivered it: a file about every 10 minutes, none from 04:00 to 07:00 (logging stopped at 03:57, resumed at 07:00). */
function march3() {
  const keys = [];
  for (let t = Date.parse('2025-03-03T00:04:00Z'); t < Date.parse('2025-03-04T00:00:00Z'); t += 10 * 60_000) {
    const hour = new Date(t).getUTCHours();
    if (hour >= 4 && hour < 7) continue;
    keys.push(trailKey(new Date(t).toISOString(), `A${String(t / 60_000).padStart(15, '0')}`));
  }
  return keys;
}

/** Year, month and day folders of a delimiter listing, by prefix. */
function folders(tree: Record<string, string[]>) {
  return (req: ReplayRequest): ReplayResponse | null => {
    const prefix = req.query.prefix ?? '';
    if (req.query.delimiter !== '/') return null;
    return listObjectsV2({ bucket: BUCKET, prefix, delimiter: '/', folders: (tree[prefix] ?? []).map((f) => `${prefix}${f}/`) });
  };
}

const listed = (operation = 's3:ListObjectsV2') =>
  replay.requests(operation).map((r) => `${r.query.delimiter ? 'folders ' : ''}${r.query.prefix}`).sort();

describe('Athena coverage', () => {
  it('lists each day of the window once, reads delivery times from the keys and finds the gaps', async () => {
    const tree = { [TRAIL]: ['2025'], [`${TRAIL}2025/`]: ['02', '03'], [`${TRAIL}2025/02/`]: ['27', '28'], [`${TRAIL}2025/03/`]: ['01', '03', '04'] };
    replay.on('s3:ListObjectsV2', (req) => {
      const prefix = req.query.prefix ?? '';
      if (prefix === `${TRAIL}2025/03/03/`) return listObjectsV2({ bucket: BUCKET, prefix, keys: march3() });
      // the recorded day: files at 00:05, 00:10 and 23:55 only
      if (prefix === `${TRAIL}2025/03/04/`) return s3Xml(fixture('s3/list-objects-v2-cloudtrail-day.xml'));
      return folders(tree)(req) ?? s3Xml(fixture('s3/list-objects-v2-empty.xml'));
    });
    const coverage = await engine().coverage(['cloudtrail_logs', 'study_catalog'], { from: '2025-03-03', to: '2025-03-04' });
    expect(coverage).toEqual({
      from: '2025-03-03',
      to: '2025-03-04',
      sources: {
        cloudtrail: {
          daysWithLogs: 2,
          daysWithout: 0,
          gaps: [
            { from: '2025-03-03T04:00:00Z', to: '2025-03-03T07:00:00Z' },
            { from: '2025-03-04T01:00:00Z', to: '2025-03-04T23:00:00Z' },
          ],
          firstDay: '2025-02-27',
          lastDay: '2025-03-04',
        },
      },
    });
    // the window's days (not the late-delivery day: coverage is of the window), then the folder edges
    const folderCalls = [TRAIL, `${TRAIL}2025/`, `${TRAIL}2025/02/`, TRAIL, `${TRAIL}2025/`, `${TRAIL}2025/03/`].map((p) => `folders ${p}`);
    expect(listed()).toEqual([`${TRAIL}2025/03/03/`, `${TRAIL}2025/03/04/`, ...folderCalls].sort());
    expect(replay.requests('s3:ListObjectsV2').every((r) => r.bucket === BUCKET && r.query['list-type'] === '2')).toBe(true);
  });

  it('follows continuation tokens and lists a whole month with one prefix', async () => {
    const all = Array.from({ length: 31 }, (_, i) => trailKey(`2025-03-${String(i + 1).padStart(2, '0')}T12:30:00Z`, `B${String(i).padStart(15, '0')}`));
    replay.on('s3:ListObjectsV2', (req) => {
      const prefix = req.query.prefix ?? '';
      if (prefix === `${TRAIL}2025/03/` && !req.query.delimiter) {
        return req.query['continuation-token']
          ? listObjectsV2({ bucket: BUCKET, prefix, keys: all.slice(20), continuationToken: 'next-1' })
          : listObjectsV2({ bucket: BUCKET, prefix, keys: all.slice(0, 20), nextContinuationToken: 'next-1' });
      }
      return folders({ [TRAIL]: ['2025'], [`${TRAIL}2025/`]: ['03'], [`${TRAIL}2025/03/`]: ['01', '31'] })(req) ?? s3Xml(fixture('s3/list-objects-v2-empty.xml'));
    });
    const coverage = await engine().coverage(['cloudtrail_logs'], { from: '2025-03-01', to: '2025-03-31' });
    expect(coverage!.sources.cloudtrail).toMatchObject({ daysWithLogs: 31, daysWithout: 0 });
    // one covered hour a day: 12:00–13:00
    expect(coverage!.sources.cloudtrail!.gaps).toHaveLength(32);
    const monthListings = replay.requests('s3:ListObjectsV2').filter((r) => r.query.prefix === `${TRAIL}2025/03/` && !r.query.delimiter);
    expect(monthListings.map((r) => r.query['continuation-token'] ?? null)).toEqual([null, 'next-1']);
  });

  it('past the newest logs: one gap for the window, and a newest day holding only late files is not counted', async () => {
    replay.on('s3:ListObjectsV2', (req) => {
      const prefix = req.query.prefix ?? '';
      if (prefix === `${TRAIL}2025/03/05/`) return listObjectsV2({ bucket: BUCKET, prefix, keys: [trailKey('2025-03-05T00:04:00Z')] });
      return folders({ [TRAIL]: ['2025'], [`${TRAIL}2025/`]: ['03'], [`${TRAIL}2025/03/`]: ['01', '04', '05'] })(req) ?? s3Xml(fixture('s3/list-objects-v2-empty.xml'));
    });
    const coverage = await engine().coverage(['cloudtrail_logs'], { from: '2025-03-10', to: '2025-03-12' });
    expect(coverage!.sources.cloudtrail).toEqual({
      daysWithLogs: 0,
      daysWithout: 3,
      gaps: [{ from: '2025-03-10T00:00:00Z', to: '2025-03-13T00:00:00Z' }],
      firstDay: '2025-03-01',
      lastDay: '2025-03-04',
    });
    expect(listed()).toContain(`${TRAIL}2025/03/05/`);
  });

  it('reads access logs by event day and inventory reports from their dt folders; a projected Region that never logged is no gap', async () => {
    const accessKey = (day: string, unique: string) => ({ key: `${ACCESS}${day.replaceAll('-', '/')}/${day}-00-00-00-${unique}`, size: 4_096 });
    replay.on('s3:ListObjectsV2', (req) => {
      const prefix = req.query.prefix ?? '';
      if (prefix === `${ACCESS}2025/03/03/`) return listObjectsV2({ bucket: BUCKET, prefix, keys: [accessKey('2025-03-03', 'E568B2907131C0C0'), accessKey('2025-03-03', '3E57427F3EXAMPLE')] });
      const tree: Record<string, string[]> = {
        [ACCESS]: ['2025'],
        [`${ACCESS}2025/`]: ['03'],
        [`${ACCESS}2025/03/`]: ['02', '03'],
        [INVENTORY]: ['daily-full'],
        [`${INVENTORY}daily-full/hive/`]: ['dt=2025-03-02-01-00', 'dt=2025-03-09-01-00'],
        's3-access-logs/111122223333/': ['us-east-1'],
      };
      return folders(tree)(req) ?? s3Xml(fixture('s3/list-objects-v2-empty.xml'));
    });
    const coverage = await engine({ regions: ['us-east-1', 'us-west-2'] }).coverage(['s3_access_logs', 's3_inventory'], { from: '2025-03-02', to: '2025-03-04' });
    expect(coverage!.sources).toEqual({
      s3_access_logs: { daysWithLogs: 1, daysWithout: 2, gaps: [{ from: '2025-03-02T00:00:00Z', to: '2025-03-03T00:00:00Z' }, { from: '2025-03-04T00:00:00Z', to: '2025-03-05T00:00:00Z' }], firstDay: '2025-03-02', lastDay: '2025-03-03' },
      s3_inventory: { daysWithLogs: 1, daysWithout: 2, gaps: [{ from: '2025-03-03T00:00:00Z', to: '2025-03-05T00:00:00Z' }], firstDay: '2025-03-02', lastDay: '2025-03-09' },
    });
    // two folder listings for the inventory; no inventory object is listed
    expect(listed().filter((p) => p.includes(INVENTORY))).toEqual([`folders ${INVENTORY}`, `folders ${INVENTORY}daily-full/hive/`]);
  });

  it('answers nothing, listing nothing, for a query that reads no log table', async () => {
    expect(await engine().coverage(['study_catalog'], { from: '2025-03-01', to: '2025-03-02' })).toBeNull();
    expect(replay.received).toHaveLength(0);
  });

  it('fails when the bucket cannot be listed', async () => {
    replay.on('s3:ListObjectsV2', s3Xml(fixture('s3/error-access-denied-list-bucket.xml'), 403));
    await expect(engine().coverage(['cloudtrail_logs'], { from: '2025-03-01', to: '2025-03-02' })).rejects.toThrow(/not authorized to perform: s3:ListBucket/);
  });
});
