import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { addDays } from '@/lib/days';
import { createAthenaEngine } from '@/lib/engine/athena/adapter';
import { createDuckDbEngine } from '@/lib/engine/duckdb/adapter';
import type { QueryEngine } from '@/lib/engine/port';
import { readCompactManifest } from '@/lib/lake/compact-manifest';
import { localLakeCoverage } from '@/lib/lake/coverage-local';
import { generateLake } from '@/lib/lake/generate';
import type { Truth } from '@/lib/lake/generate/truth';
import { DEFAULT_LAYOUT } from '@/lib/lake/layout';
import type { LakeTable, ScanScope } from '@/lib/lake/tables';
import { AwsReplay, type ReplayRequest } from '@/test/support/aws-replay';
import { listObjectsV2, testConfig } from '../engine/athena/replay-builders';

// Log coverage over generated lakes: the planted CloudTrail gap found exactly, windows past the
// lake's end, the same answer raw and compacted, and the Athena adapter over the same keys.

const lake = inject('testLake');
const LOG_TABLES: LakeTable[] = ['cloudtrail_logs', 's3_access_logs', 's3_inventory', 'study_catalog'];
const truthOf = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'truth.json'), 'utf8')) as Truth;
const coverage = (dir: string, window: ScanScope, tables = LOG_TABLES) => localLakeCoverage({ dir, layout: DEFAULT_LAYOUT }, tables, window);
const plantedGaps = (truth: Truth) => truth.coverageGaps.map(({ from, to }) => ({ from, to }));
const days = (window: ScanScope) => (Date.parse(window.to) - Date.parse(window.from)) / 86_400_000 + 1;

describe('log coverage of the demo lake', () => {
  const truth = truthOf(lake.raw);

  it('finds the planted CloudTrail gap exactly, and nothing else', async () => {
    const c = (await coverage(lake.raw, truth.window))!;
    expect(c.from).toBe(truth.window.from);
    expect(c.to).toBe(truth.window.to);
    expect(truth.coverageGaps).toHaveLength(1);
    expect(c.sources.cloudtrail).toEqual({
      daysWithLogs: days(truth.window),
      daysWithout: 0,
      gaps: plantedGaps(truth),
      firstDay: truth.window.from,
      lastDay: truth.window.to,
    });
    expect(c.sources.s3_access_logs).toEqual({ daysWithLogs: days(truth.window), daysWithout: 0, gaps: [], firstDay: truth.window.from, lastDay: truth.window.to });
    const reportDays = truth.inventoryReports.map((r) => r.date);
    expect(c.sources.s3_inventory).toMatchObject({ daysWithLogs: reportDays.length, daysWithout: days(truth.window) - reportDays.length, firstDay: reportDays[0], lastDay: reportDays.at(-1) });
    expect(Object.keys(c.sources)).toEqual(['cloudtrail', 's3_access_logs', 's3_inventory']);
  });

  it('finds the gap in the lake `npm start` generates (its default seed and size)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-coverage-default-'));
    try {
      await generateLake({ outDir: dir, layout: DEFAULT_LAYOUT });
      const t = truthOf(dir);
      const c = (await coverage(dir, t.window, ['cloudtrail_logs', 's3_access_logs']))!;
      expect(c.sources.cloudtrail!.gaps).toEqual(plantedGaps(t));
      expect(c.sources.s3_access_logs!.gaps).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);

  it('states a window entirely past the lake\'s end as one gap with no day of logs, naming where the logs end', async () => {
    // The day after the lake holds CloudTrail's late files of its last day: they cover nothing of it.
    const window = { from: addDays(truth.window.to, 1), to: addDays(truth.window.to, 30) };
    const c = (await coverage(lake.raw, window))!;
    const nothing = { daysWithLogs: 0, daysWithout: 30, gaps: [{ from: `${window.from}T00:00:00Z`, to: `${addDays(window.to, 1)}T00:00:00Z` }] };
    expect(c.sources.cloudtrail).toEqual({ ...nothing, firstDay: truth.window.from, lastDay: truth.window.to });
    expect(c.sources.s3_access_logs).toEqual({ ...nothing, firstDay: truth.window.from, lastDay: truth.window.to });
    expect(c.sources.s3_inventory).toMatchObject(nothing);
  });

  it('states a window before the lake begins the same way', async () => {
    const window = { from: addDays(truth.window.from, -10), to: addDays(truth.window.from, -1) };
    const c = (await coverage(lake.raw, window, ['cloudtrail_logs']))!;
    expect(c.sources.cloudtrail).toEqual({
      daysWithLogs: 0,
      daysWithout: 10,
      gaps: [{ from: `${window.from}T00:00:00Z`, to: `${truth.window.from}T00:00:00Z` }],
      firstDay: truth.window.from,
      lastDay: truth.window.to,
    });
  });

  it('counts the days and hours of a window straddling the lake\'s end', async () => {
    const window = { from: addDays(truth.window.to, -1), to: addDays(truth.window.to, 2) };
    const c = (await coverage(lake.raw, window, ['cloudtrail_logs', 's3_access_logs']))!;
    for (const source of [c.sources.cloudtrail!, c.sources.s3_access_logs!]) {
      expect(source).toMatchObject({ daysWithLogs: 2, daysWithout: 2, gaps: [{ from: `${addDays(truth.window.to, 1)}T00:00:00Z`, to: `${addDays(truth.window.to, 3)}T00:00:00Z` }] });
    }
  });

  it('is the same before and after compaction', async () => {
    const windows = [truth.window, { from: truth.window.from, to: truth.window.from }, { from: addDays(truth.window.to, -3), to: addDays(truth.window.to, 5) }, { from: addDays(truth.window.to, 1), to: addDays(truth.window.to, 4) }];
    expect(Object.keys((await readCompactManifest({ dir: lake.compacted, layout: DEFAULT_LAYOUT })).partitions).length).toBeGreaterThan(0);
    for (const window of windows) expect(await coverage(lake.compacted, window)).toEqual(await coverage(lake.raw, window));
  });

  describe('once compacted raw objects are gone', () => {
    let copy: string;
    beforeAll(async () => {
      copy = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-coverage-pruned-'));
      fs.cpSync(lake.compacted, copy, { recursive: true });
      // Only the compaction manifest still knows these objects.
      const manifest = await readCompactManifest({ dir: copy, layout: DEFAULT_LAYOUT });
      for (const partition of Object.values(manifest.partitions)) {
        if (partition.table === 'cloudtrail_logs' || partition.table === 's3_access_logs') fs.rmSync(path.join(copy, partition.id), { recursive: true, force: true });
      }
    });
    afterAll(() => fs.rmSync(copy, { recursive: true, force: true }));

    it('reads them from the manifest and answers the same', async () => {
      expect(fs.readdirSync(path.join(copy, 's3-access-logs'), { recursive: true }).some((f) => /-00-00-00-/.test(String(f)))).toBe(false);
      for (const window of [truth.window, { from: addDays(truth.window.to, 1), to: addDays(truth.window.to, 9) }]) {
        expect(await coverage(copy, window)).toEqual(await coverage(lake.raw, window));
      }
    });
  });

  it('is what the embedded engine answers, and nothing for a query that reads no log table', async () => {
    const engine = await createDuckDbEngine({ lake: { dir: lake.compacted, layout: DEFAULT_LAYOUT } });
    try {
      expect(await engine.coverage(['cloudtrail_logs', 'study_catalog'], truth.window)).toEqual(await coverage(lake.raw, truth.window, ['cloudtrail_logs']));
      expect(await engine.coverage(['study_catalog'], truth.window)).toBeNull();
      await expect(engine.coverage(['cloudtrail_logs'], { from: '2026-10-05', to: '2026-10-01' })).rejects.toThrow(/after/);
    } finally {
      await engine.close();
    }
  });
});

/** Answers ListObjectsV2 over a local directory as S3 would over a bucket holding the same keys (lexicographic, paged by 1000, Delimiter folders). */
function bucketOf(dir: string) {
  const keys: string[] = [];
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const key = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(key);
      else keys.push(key);
    }
  };
  walk('');
  keys.sort((a, b) => (Buffer.compare(Buffer.from(a), Buffer.from(b))));
  return (req: ReplayRequest) => {
    const prefix = req.query.prefix ?? '';
    const delimiter = req.query.delimiter;
    const entries: { key?: string; folder?: string }[] = [];
    for (const key of keys) {
      if (!key.startsWith(prefix)) continue;
      const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
      if (cut < 0) entries.push({ key });
      else {
        const folder = key.slice(0, cut + 1);
        if (entries.at(-1)?.folder !== folder) entries.push({ folder });
      }
    }
    const start = req.query['continuation-token'] ? Number(req.query['continuation-token'].replace('page-', '')) * 1000 : 0;
    const page = entries.slice(start, start + 1000);
    return listObjectsV2({
      bucket: req.bucket ?? '',
      prefix,
      ...(delimiter ? { delimiter } : {}),
      keys: page.filter((e) => e.key).map((e) => ({ key: e.key!, size: 1 })),
      folders: page.filter((e) => e.folder).map((e) => e.folder!),
      ...(req.query['continuation-token'] ? { continuationToken: req.query['continuation-token'] } : {}),
      ...(start + 1000 < entries.length ? { nextContinuationToken: `page-${start / 1000 + 1}` } : {}),
    });
  };
}

describe('log coverage on Athena, listing the same keys in S3', () => {
  const truth = truthOf(lake.raw);
  let replay: AwsReplay;
  let athena: QueryEngine;
  beforeAll(async () => {
    replay = await AwsReplay.start();
    replay.on('s3:ListObjectsV2', bucketOf(lake.raw));
    athena = createAthenaEngine(
      testConfig({ accounts: ['210987654321'], regions: [], organizationId: 'o-h7c2k9x4m1', archiveBucket: 'custos-demo-imaging-archive' }),
      { athena: replay.athenaClient(), s3: replay.s3Client() },
    );
  });
  afterAll(async () => {
    await athena?.close();
    await replay?.close();
  });

  it('finds the planted gap and agrees with the embedded engine on every source', async () => {
    for (const window of [truth.window, { from: addDays(truth.window.to, -2), to: addDays(truth.window.to, 20) }]) {
      const onAthena = (await athena.coverage(LOG_TABLES, window))!;
      const local = (await coverage(lake.raw, window))!;
      expect(onAthena.sources.s3_access_logs).toEqual(local.sources.s3_access_logs);
      expect(onAthena.sources.s3_inventory).toEqual(local.sources.s3_inventory);
      // Per Region, the organization's imaging account (all the Athena table projects) covers the same hours as both accounts together.
      expect(onAthena.sources.cloudtrail).toEqual(local.sources.cloudtrail);
    }
    expect((await athena.coverage(['cloudtrail_logs'], truth.window))!.sources.cloudtrail!.gaps).toEqual(plantedGaps(truth));
    expect(replay.unexpected).toEqual([]);
  });
});
