import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLakeViews } from '@/lib/engine/duckdb/views';
import { compactLake, type CompactStep } from '@/lib/lake/compact';
import { COMPACT_DIR, readCompactManifest } from '@/lib/lake/compact-manifest';
import { duckdbType, tableDefinition, visibleColumns } from '@/lib/lake/schema';
import { accessLine, ctRecord, putAccessLog, putCloudTrail, putInventoryReport, tempLake } from './helpers/lake-builder';

const SCOPE = { from: '2025-03-01', to: '2025-03-04' };

async function open() {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  return { conn, close: () => (conn.closeSync(), instance.closeSync()) };
}

async function snapshot(conn: DuckDBConnection, lake: ReturnType<typeof tempLake>) {
  await createLakeViews(conn, lake, ['cloudtrail_logs', 's3_access_logs'], SCOPE);
  const ct = (await conn.runAndReadAll('SELECT * FROM cloudtrail_logs ORDER BY eventid')).getRowObjectsJson();
  const al = (await conn.runAndReadAll('SELECT * FROM s3_access_logs ORDER BY requestid')).getRowObjectsJson();
  return { ct, al };
}

function compactedFiles(lake: ReturnType<typeof tempLake>) {
  const root = path.join(lake.dir, COMPACT_DIR);
  if (!fs.existsSync(root)) return [];
  return (fs.readdirSync(root, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(root, f)).isFile()).sort();
}

function buildLake() {
  const lake = tempLake();
  for (const day of ['01', '02', '03']) {
    putCloudTrail(lake, { at: `2025-03-${day}T08:00:00Z` }, [
      ctRecord({ eventSource: 'kms.amazonaws.com', eventName: 'Decrypt', eventTime: `2025-03-${day}T07:59:00Z` }),
      ctRecord({ eventSource: 's3.amazonaws.com', eventName: 'GetObject', eventTime: `2025-03-${day}T07:58:00Z` }),
      ctRecord({ eventSource: 'kms.amazonaws.com', eventName: 'Decrypt', eventTime: `2025-03-${day}T07:57:00Z` }),
    ]);
    putAccessLog(lake, { day: `2025-03-${day}` }, `${accessLine({ key: 'b' })}\n${accessLine({ key: 'a' })}\n`);
  }
  return lake;
}

describe('compactLake', () => {
  const lake = buildLake();
  let db: Awaited<ReturnType<typeof open>>;
  let raw: Awaited<ReturnType<typeof snapshot>>;
  let badKey: string;

  beforeAll(async () => {
    db = await open();
    badKey = putCloudTrail(lake, { at: '2025-03-02T09:00:00Z' }, { rawBody: zlib.gzipSync('{"Records": [') });
    putAccessLog(lake, { day: '2025-03-02' }, `${accessLine()}\nnot a log line\n`);
    raw = await snapshot(db.conn, lake);
  });
  afterAll(() => {
    db.close();
    lake.cleanup();
  });

  it('writes one zstd Parquet file per partition with exactly the visible columns and types, sorted', async () => {
    const summary = await compactLake(lake);
    expect(summary).toMatchObject({ rawFiles: 8, records: 16, rejectedRecords: 1, rejectedFiles: 1, partitionsWritten: 6, partitionsUpToDate: 0 });
    expect(summary.megabytesProcessed).toBeGreaterThan(0);
    expect(summary.megabytesPerSecond).toBeGreaterThan(0);
    const manifest = await readCompactManifest(lake);
    const partitions = Object.values(manifest.partitions);
    expect(partitions).toHaveLength(6);
    expect(compactedFiles(lake).filter((f) => f.endsWith('.parquet'))).toHaveLength(6);

    const ct = partitions.find((p) => p.table === 'cloudtrail_logs' && p.day === '2025/03/01')!;
    const file = path.join(lake.dir, ct.parquet!.path);
    const columns = (await db.conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${file}')`)).getRowObjectsJson().map((r) => r.column_name);
    expect(columns).toEqual(visibleColumns(tableDefinition('cloudtrail_logs')).map((c) => c.name));
    const types = (await db.conn.runAndReadAll(`SELECT typeof(COLUMNS(*)) FROM read_parquet('${file}') LIMIT 1`)).getRows()[0];
    for (const [i, c] of visibleColumns(tableDefinition('cloudtrail_logs')).entries()) {
      const [expected] = (await db.conn.runAndReadAll(`SELECT typeof(CAST(NULL AS ${duckdbType(c.type)}))`)).getRows()[0]!;
      expect(types![i]).toBe(expected);
    }
    const meta = (await db.conn.runAndReadAll(`SELECT DISTINCT compression FROM parquet_metadata('${file}')`)).getRows();
    expect(meta).toEqual([['ZSTD']]);
    const order = (await db.conn.runAndReadAll(`SELECT eventsource, eventtime FROM read_parquet('${file}')`)).getRows();
    expect(order).toEqual([
      ['kms.amazonaws.com', '2025-03-01T07:57:00Z'],
      ['kms.amazonaws.com', '2025-03-01T07:59:00Z'],
      ['s3.amazonaws.com', '2025-03-01T07:58:00Z'],
    ]);
    expect(ct.parquet!.rows).toBe(3);
  });

  it('records rejected objects and lines in the manifest', async () => {
    const manifest = await readCompactManifest(lake);
    const sources = Object.values(manifest.partitions).flatMap((p) => p.sources);
    expect(sources.find((s) => s.path === badKey)).toMatchObject({ records: 0, rejected: [{ file: badKey, line: 0 }] });
    const lineRejection = sources.flatMap((s) => s.rejected).find((r) => r.line > 0);
    expect(lineRejection).toMatchObject({ line: 2, reason: 'line does not match the access-log format' });
  });

  it('leaves the views reading the same rows', async () => {
    expect(await snapshot(db.conn, lake)).toEqual(raw);
  });

  it('does nothing on a second run', async () => {
    const before = compactedFiles(lake);
    const manifestBefore = fs.readFileSync(path.join(lake.dir, COMPACT_DIR, 'manifest.json'), 'utf8');
    const summary = await compactLake(lake);
    expect(summary).toMatchObject({ rawFiles: 0, partitionsWritten: 0, partitionsUpToDate: 6, filesRemoved: 0 });
    expect(compactedFiles(lake)).toEqual(before);
    expect(fs.readFileSync(path.join(lake.dir, COMPACT_DIR, 'manifest.json'), 'utf8')).toBe(manifestBefore);
  });

  it('rewrites a partition that gained an object into one new file and removes the old one', async () => {
    const before = await readCompactManifest(lake);
    const oldFile = Object.values(before.partitions).find((p) => p.table === 'cloudtrail_logs' && p.day === '2025/03/03')!.parquet!.path;
    putCloudTrail(lake, { at: '2025-03-03T23:00:00Z' }, [ctRecord({ eventName: 'Added' })]);
    const summary = await compactLake(lake);
    expect(summary).toMatchObject({ rawFiles: 1, records: 1, partitionsWritten: 1, partitionsUpToDate: 5, filesRemoved: 1 });
    const after = Object.values((await readCompactManifest(lake)).partitions).find((p) => p.table === 'cloudtrail_logs' && p.day === '2025/03/03')!;
    expect(after.parquet!.path).not.toBe(oldFile);
    expect(after.parquet!.rows).toBe(4);
    expect(after.sources).toHaveLength(2);
    expect(fs.existsSync(path.join(lake.dir, oldFile))).toBe(false);
    const snap = await snapshot(db.conn, lake);
    expect(snap.ct).toHaveLength(raw.ct.length + 1);
    raw = snap;
  });

  it('refuses to run while another live process holds the lock', async () => {
    const lock = path.join(lake.dir, COMPACT_DIR, '.lock');
    fs.writeFileSync(lock, JSON.stringify({ pid: 1 }));
    await expect(compactLake(lake)).rejects.toThrow(/another compaction/);
    fs.writeFileSync(lock, JSON.stringify({ pid: 2 ** 22 + 12345 }));
    await expect(compactLake(lake)).resolves.toMatchObject({ partitionsWritten: 0 });
    expect(fs.existsSync(lock)).toBe(false);
  });

  it('stops between partitions when aborted', async () => {
    putCloudTrail(lake, { at: '2025-03-04T01:00:00Z' }, [ctRecord()]);
    const controller = new AbortController();
    controller.abort(new Error('stop now'));
    await expect(compactLake(lake, { signal: controller.signal })).rejects.toThrow('stop now');
    expect(await compactLake(lake)).toMatchObject({ partitionsWritten: 1 });
    raw = await snapshot(db.conn, lake);
  });
});

describe('compactLake after a crash', () => {
  for (const crashAt of ['parquet-written', 'manifest-written'] as const) {
    it(`keeps the views unchanged when it stops at ${crashAt}, and a rerun completes`, async () => {
      const lake = buildLake();
      const db = await open();
      try {
        await compactLake(lake);
        putCloudTrail(lake, { at: '2025-03-01T22:00:00Z' }, [ctRecord({ eventName: 'Later' })]);
        putCloudTrail(lake, { at: '2025-03-04T02:00:00Z' }, [ctRecord({ eventName: 'NewDay' })]);
        const before = await snapshot(db.conn, lake);
        const manifestBefore = fs.readFileSync(path.join(lake.dir, COMPACT_DIR, 'manifest.json'), 'utf8');
        let seen = 0;
        const crash = (step: CompactStep) => {
          if (step.step === crashAt && ++seen === 1) throw new Error('simulated crash');
        };
        await expect(compactLake(lake, { onStep: crash })).rejects.toThrow('simulated crash');
        if (crashAt === 'parquet-written') {
          expect(fs.readFileSync(path.join(lake.dir, COMPACT_DIR, 'manifest.json'), 'utf8')).toBe(manifestBefore);
        }
        expect(await snapshot(db.conn, lake)).toEqual(before);

        const rerun = await compactLake(lake);
        expect(rerun.partitionsWritten + rerun.partitionsUpToDate).toBe(7);
        expect(await snapshot(db.conn, lake)).toEqual(before);
        const referenced = Object.values((await readCompactManifest(lake)).partitions).map((p) => p.parquet!.path.slice(COMPACT_DIR.length + 1));
        expect(compactedFiles(lake).filter((f) => f !== 'manifest.json')).toEqual(referenced.sort());
      } finally {
        db.close();
        lake.cleanup();
      }
    });
  }
});

describe('an object refused part-way through', () => {
  it('contributes no rows, raw or compacted, and is recorded as rejected', async () => {
    const lake = tempLake();
    const db = await open();
    try {
      const rows = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `"phi-dicom-archive","${prefix}-${i}","${i}"`).join('\n') + '\n';
      const truncated = zlib.gzipSync(rows('lost', 12_000));
      const report = putInventoryReport(lake, {
        at: '2025-03-04T01:00:00Z',
        format: 'CSV',
        fileSchema: 'Bucket, Key, Size',
        files: [
          { name: 'good.csv.gz', body: zlib.gzipSync(rows('kept', 3)) },
          { name: 'cut.csv.gz', body: truncated.subarray(0, truncated.length - 64) },
          { name: 'also-good.csv.gz', body: zlib.gzipSync(rows('also', 2)) },
        ],
      });
      const count = async () => {
        await createLakeViews(db.conn, lake, ['s3_inventory'], null);
        return (await db.conn.runAndReadAll(`SELECT split_part(key, '-', 1) AS k, count(*) AS n FROM s3_inventory GROUP BY 1 ORDER BY 1`)).getRowObjectsJson();
      };
      const expected = [
        { k: 'also', n: '2' },
        { k: 'kept', n: '3' },
      ];
      expect(await count()).toEqual(expected);
      const summary = await compactLake(lake);
      expect(summary).toMatchObject({ rawFiles: 3, records: 5, rejectedFiles: 1 });
      expect(await count()).toEqual(expected);
      const sources = Object.values((await readCompactManifest(lake)).partitions).flatMap((p) => p.sources);
      expect(sources.find((s) => s.path === report.dataKeys[1])).toMatchObject({ records: 0, rejected: [{ line: 0, reason: expect.stringMatching(/^unreadable/) }] });
    } finally {
      db.close();
      lake.cleanup();
    }
  });
});
