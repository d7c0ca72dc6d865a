import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLakeViews } from '@/lib/engine/duckdb/views';
import { compactLake } from '@/lib/lake/compact';
import { COMPACT_DIR, readCompactManifest, type CompactManifest } from '@/lib/lake/compact-manifest';
import { SORT_KEYS } from '@/lib/lake/compact-order';
import { newArena, parsePartition } from '@/lib/lake/compact-parse';
import { startPartitionParser } from '@/lib/lake/compact-pool';
import { DEFAULT_LAYOUT } from '@/lib/lake/layout';
import { rowTextRelation } from '@/lib/lake/row-text';
import { scanLake } from '@/lib/lake/scan';
import { COMPACTED_TABLES, type LakeLocation, type LakeTable } from '@/lib/lake/tables';
import { accessLine, ctRecord, putAccessLog, putCloudTrail, putInventoryReport, tempLake } from './helpers/lake-builder';

const WIDE = { from: '2020-01-01', to: '2030-12-31' };
const quote = (name: string) => `"${name}"`;

async function open() {
  const instance = await DuckDBInstance.create(':memory:');
  const connections: DuckDBConnection[] = [];
  const connect = async () => {
    const conn = await instance.connect();
    connections.push(conn);
    return conn;
  };
  return { connect, close: () => (connections.forEach((c) => c.closeSync()), instance.closeSync()) };
}

const count = async (conn: DuckDBConnection, sql: string) => Number((await conn.runAndReadAll(`SELECT count(*) FROM (${sql})`)).getRows()[0]![0]);

/** Rows of `a` missing from `b` and of `b` missing from `a` (duplicates count). */
async function difference(conn: DuckDBConnection, a: string, b: string) {
  return [await count(conn, `${a} EXCEPT ALL ${b}`), await count(conn, `${b} EXCEPT ALL ${a}`)];
}

const parquetFiles = (lake: LakeLocation, manifest: CompactManifest, table: LakeTable) =>
  Object.values(manifest.partitions).flatMap((p) => (p.table === table && p.parquet ? [path.join(lake.dir, p.parquet.path)] : []));

const readParquet = (files: string[]) => `SELECT * FROM read_parquet([${files.map((f) => `'${f}'`).join(', ')}])`;

/** Copies every table's rows, as the views read them, into `<prefix>_<table>` (tables outlive the connection's views). */
async function materializeViews(conn: DuckDBConnection, lake: LakeLocation, prefix: string) {
  await createLakeViews(conn, lake, [...COMPACTED_TABLES], WIDE);
  for (const table of COMPACTED_TABLES) await conn.run(`CREATE TABLE ${prefix}_${table} AS SELECT * FROM ${table}`);
}

/** Files whose rows are not in the table's sort order (NULLs last), as read back in file order. */
async function unsortedFiles(conn: DuckDBConnection, table: LakeTable, files: string[]) {
  const keys = SORT_KEYS[table]!.map(quote).join(', ');
  const out: string[] = [];
  for (const file of files) {
    const inFileOrder = (await conn.runAndReadAll(`SELECT ${keys} FROM read_parquet('${file}')`)).getRows();
    const sorted = (await conn.runAndReadAll(`SELECT ${keys} FROM read_parquet('${file}') ORDER BY ${keys}`)).getRows();
    if (JSON.stringify(inFileOrder) !== JSON.stringify(sorted)) out.push(file);
  }
  return out;
}

function copyLake(from: string): LakeLocation & { cleanup(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-parallel-'));
  // Derived folders are left behind: other suites stage into the shared raw lake while this copies it.
  const derived = ['compact', 'stage', 'tmp'].map((d) => path.join(from, '_custos', d));
  fs.cpSync(from, dir, { recursive: true, filter: (source) => !derived.some((d) => source.startsWith(d)) });
  return { dir, layout: DEFAULT_LAYOUT, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

describe('compaction in worker threads, on a generated lake', () => {
  const raw = inject('testLake').raw;
  const inThread = copyLake(raw);
  const pooled = copyLake(raw);
  let db: Awaited<ReturnType<typeof open>>;
  let conn: DuckDBConnection;
  let manifests: { inThread: CompactManifest; pooled: CompactManifest };

  beforeAll(async () => {
    db = await open();
    conn = await db.connect();
    await compactLake(inThread, { workers: 0 });
    await compactLake(pooled, { workers: 2 });
    manifests = { inThread: await readCompactManifest(inThread), pooled: await readCompactManifest(pooled) };
  });
  afterAll(() => {
    db.close();
    inThread.cleanup();
    pooled.cleanup();
  });

  it('writes exactly the Parquet rows the single-threaded path writes, partition by partition', async () => {
    const keys = Object.keys(manifests.pooled.partitions).sort();
    expect(keys).toEqual(Object.keys(manifests.inThread.partitions).sort());
    expect(keys.length).toBeGreaterThan(20);
    for (const key of keys) {
      const a = manifests.inThread.partitions[key]!;
      const b = manifests.pooled.partitions[key]!;
      expect(b.parquet?.rows, key).toBe(a.parquet?.rows);
      const counts = (p: typeof a) => p.sources.map((s) => ({ path: s.path, records: s.records, rejected: s.rejected, textBytes: s.textBytes }));
      expect(counts(b), key).toEqual(counts(a));
      if (!a.parquet || !b.parquet) continue;
      const fileA = readParquet([path.join(inThread.dir, a.parquet.path)]);
      const fileB = readParquet([path.join(pooled.dir, b.parquet.path)]);
      expect(await difference(conn, fileA, fileB), key).toEqual([0, 0]);
    }
  });

  it('holds the rows the raw lake reads, each file in its sort order', async () => {
    await materializeViews(await db.connect(), { dir: raw, layout: DEFAULT_LAYOUT }, 'raw');
    await materializeViews(await db.connect(), pooled, 'pooled');
    for (const table of COMPACTED_TABLES) {
      expect(await count(conn, `SELECT * FROM raw_${table}`), table).toBeGreaterThan(0);
      expect(await difference(conn, `SELECT * FROM raw_${table}`, `SELECT * FROM pooled_${table}`), table).toEqual([0, 0]);
      expect(await unsortedFiles(conn, table, parquetFiles(pooled, manifests.pooled, table)), table).toEqual([]);
    }
  });
});

/** CloudTrail records that exercise every JSON SerDe rule and every character the staged text cannot carry. */
function awkwardRecords(): unknown[] {
  return [
    ctRecord({ eventID: 'case', eventName: undefined, EventName: 'MixedCase', USERIDENTITY: { Type: 'IAMUser', ARN: 'arn:x', SessionContext: { ATTRIBUTES: { MfaAuthenticated: false } } } }),
    { ...ctRecord({ eventID: 'dupe', eventName: 'first' }), EVENTNAME: 'last' },
    ctRecord({ eventID: 'struct-not-object', tlsDetails: 'x', userIdentity: ['a'], addendum: null }),
    ctRecord({ eventID: 'numbers', requestParameters: { a: 1.0, b: 1e21, c: [1, 'x', null, true], d: { e: -0, f: 12345678901234567890 } } }),
    ctRecord({ eventID: 'scalars', responseElements: 'plain', additionalEventData: [1, 2], readOnly: false, eventVersion: 1.5, errorCode: 404, tlsDetails: {}, addendum: { unknown: 1 } }),
    ctRecord({
      eventID: 'nested',
      resources: [{ ARN: 'a', accountId: '1', TYPE: 't' }, null, { arn: 'b' }, 'not-an-object'],
      userIdentity: { type: 'WebIdentityUser', sessionContext: { webIdFederationData: { federatedProvider: 'p', attributes: { k: 'v', K2: null, n: 5 } } } },
    }),
    ctRecord({ eventID: 'text-like', eventName: '', errorCode: 'NULL', errorMessage: '\\N', userAgent: ' spaced ', sourceIPAddress: '"quoted"', requestID: 'back\\slash,comma;' }),
    { eventID: 'no-sort-keys' },
    { eventID: 'partial-sort-keys', eventSource: 'kms.amazonaws.com' },
    42,
  ];
}

function controlRecords(): unknown[] {
  return [
    ctRecord({ eventID: 'control', userAgent: 'line1\nline2\ttab\u0001\u001e\u001f', errorMessage: '\u0000nul' }),
    ctRecord({ eventID: 'non-ascii', userAgent: 'café ☕ 😀', eventName: 'Ünïcode' }),
    ctRecord({ eventID: 'plain-neighbour', eventName: 'AAA' }),
  ];
}

describe('compaction of awkward records', () => {
  for (const workers of [0, 2]) {
    it(`gives the rows the raw read gives (${workers === 0 ? 'in this thread' : 'worker threads'})`, async () => {
      const lake = tempLake();
      const db = await open();
      try {
        const conn = await db.connect();
        putCloudTrail(lake, { at: '2025-03-01T08:00:00Z' }, awkwardRecords());
        putCloudTrail(lake, { at: '2025-03-01T09:00:00Z' }, controlRecords());
        const escaped = '{"Records":[{"eventID":"escaped","eventName":"caf\\u00e9","userAgent":"\\u00e9\\/x","eventSource":"\\u0041"}]}';
        putCloudTrail(lake, { at: '2025-03-01T10:00:00Z' }, { rawBody: zlib.gzipSync(escaped) });
        putCloudTrail(lake, { at: '2025-03-02T08:00:00Z' }, awkwardRecords());
        putCloudTrail(lake, { at: '2025-03-02T08:05:00Z' }, [ctRecord({ eventSource: 'a.amazonaws.com', eventName: 'Z' }), ctRecord({ eventSource: 'a.amazonaws.com', eventName: undefined })]);
        putAccessLog(lake, { day: '2025-03-01' }, `${accessLine({ key: 'studies/x\u0001y.dcm' })}\n${accessLine({ key: 'b' })}\n${accessLine({ key: 'a' })}\n`);
        const csv = ['"phi-dicom-archive","a%0Ab","1","true","2025-03-01T00:00:00.000Z"', '"phi-dicom-archive","plain+key","","false",""', '"phi-dicom-archive","caf%C3%A9","7","","2025-03-01T01:02:03Z"'];
        putInventoryReport(lake, {
          at: '2025-03-03T01:00:00Z',
          format: 'CSV',
          fileSchema: 'Bucket, Key, Size, IsLatest, LastModifiedDate',
          files: [{ name: 'report.csv.gz', body: zlib.gzipSync(`${csv.join('\n')}\n`) }],
        });
        await materializeViews(await db.connect(), lake, 'raw');
        const summary = await compactLake(lake, { workers });
        expect(summary).toMatchObject({ rawFiles: 7, rejectedFiles: 0, rejectedRecords: 2 });
        await materializeViews(await db.connect(), lake, 'compacted');
        const manifest = await readCompactManifest(lake);
        for (const table of COMPACTED_TABLES) {
          expect(await count(conn, `SELECT * FROM raw_${table}`), table).toBeGreaterThan(0);
          expect(await difference(conn, `SELECT * FROM raw_${table}`, `SELECT * FROM compacted_${table}`), table).toEqual([0, 0]);
          expect(await unsortedFiles(conn, table, parquetFiles(lake, manifest, table)), table).toEqual([]);
        }
        const row = async (id: string) => (await conn.runAndReadAll(`SELECT * FROM compacted_cloudtrail_logs WHERE eventid = '${id}' LIMIT 1`)).getRowObjectsJson()[0]!;
        expect(await row('case')).toMatchObject({ eventname: 'MixedCase', useridentity: { type: 'IAMUser', arn: 'arn:x' } });
        expect(await row('dupe')).toMatchObject({ eventname: 'last' });
        expect(await row('control')).toMatchObject({ useragent: 'line1\nline2\ttab\u0001\u001e\u001f', errormessage: '\u0000nul' });
        expect(await row('escaped')).toMatchObject({ eventname: 'café', useragent: 'é/x', eventsource: 'A' });
      } finally {
        db.close();
        lake.cleanup();
      }
    });
  }
});

describe("a worker's buffers, kept from one partition to the next", () => {
  it('give the same staged text as fresh ones: a partition that grows them, then a smaller one', async () => {
    const lake = tempLake();
    try {
      // day 1: over 1 MiB of lines (the buffers' first size), sort keys in reverse, ties kept in arrival order, some non-ASCII text
      const big = Array.from({ length: 1_500 }, (_, i) =>
        ctRecord({ eventID: `big-${i}`, eventName: `Get${String(1_500 - (i % 700)).padStart(4, '0')}`, userAgent: `${i % 3 === 0 ? 'agent-é-' : 'agent-'}${'x'.repeat(600)}` }),
      );
      putCloudTrail(lake, { at: '2025-03-01T08:00:00Z' }, big.slice(0, 900));
      putCloudTrail(lake, { at: '2025-03-01T08:05:00Z' }, big.slice(900));
      putCloudTrail(lake, { at: '2025-03-02T08:00:00Z' }, [ctRecord({ eventID: 'small-b', eventName: 'B' }), ctRecord({ eventID: 'small-a', eventName: 'A' })]);
      const [day1, day2] = await scanLake(lake, ['cloudtrail_logs'], 'all');
      const job = (partition: typeof day1, name: string) => ({
        table: 'cloudtrail_logs' as const,
        partition: partition!.id,
        files: partition!.files,
        text: path.join(lake.dir, `${name}.txt`),
        json: path.join(lake.dir, `${name}.ndjson`),
        holdBytes: 64 << 20,
      });
      const kept = newArena();
      const firstKept = await parsePartition(lake, job(day1, 'day1-kept'), { arena: kept });
      expect(kept.lines.length).toBeGreaterThan(1 << 20);
      const secondKept = await parsePartition(lake, job(day2, 'day2-kept'), { arena: kept });
      const firstFresh = await parsePartition(lake, job(day1, 'day1-fresh'));
      const secondFresh = await parsePartition(lake, job(day2, 'day2-fresh'));
      expect([firstKept, secondKept]).toEqual([firstFresh, secondFresh]);
      expect(firstKept).toMatchObject({ textRows: 1_500, jsonRows: 0, sorted: true });
      const read = (name: string) => fs.readFileSync(path.join(lake.dir, `${name}.txt`));
      expect(read('day1-kept')).toEqual(read('day1-fresh'));
      expect(read('day2-kept')).toEqual(read('day2-fresh'));

      const db = await open();
      try {
        const conn = await db.connect();
        const ids = async (name: string) =>
          (await conn.runAndReadAll(`SELECT eventid, useragent FROM (${rowTextRelation('cloudtrail_logs', [path.join(lake.dir, `${name}.txt`)])})`)).getRows();
        expect((await ids('day2-kept')).map((r) => r[0])).toEqual(['small-a', 'small-b']);
        const day1Rows = await ids('day1-kept');
        // sorted by event name; records with the same name stay in the order they arrived
        const expected = big
          .map((r, i) => ({ name: r.eventName as string, i }))
          .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.i - b.i))
          .map(({ i }) => [`big-${i}`, big[i]!.userAgent]);
        expect(day1Rows).toEqual(expected);
      } finally {
        db.close();
      }
    } finally {
      lake.cleanup();
    }
  });
});

describe('reading CloudTrail objects as a worker does (blocking reads, nothing read ahead)', () => {
  it('parses a partition exactly as reading ahead does, an unreadable object refused whole', async () => {
    const lake = tempLake();
    try {
      putCloudTrail(lake, { at: '2025-03-01T08:00:00Z' }, [ctRecord({ eventID: 'a' }), ctRecord({ eventID: 'b' })]);
      putCloudTrail(lake, { at: '2025-03-01T08:05:00Z' }, { rawBody: Buffer.from('not gzip') });
      const gone = putCloudTrail(lake, { at: '2025-03-01T08:10:00Z' }, [ctRecord({ eventID: 'gone' })]);
      putCloudTrail(lake, { at: '2025-03-01T08:15:00Z' }, awkwardRecords());
      const [partition] = await scanLake(lake, ['cloudtrail_logs'], 'all');
      fs.rmSync(path.join(lake.dir, gone)); // listed, then removed before it is read
      const parse = (blockingReads: boolean) =>
        parsePartition(
          lake,
          { table: 'cloudtrail_logs', partition: partition!.id, files: partition!.files, text: path.join(lake.dir, `${blockingReads}.txt`), json: path.join(lake.dir, `${blockingReads}.ndjson`), holdBytes: 1 << 20 },
          { blockingReads },
        );
      const [blocking, ahead] = [await parse(true), await parse(false)];
      expect(blocking).toEqual(ahead);
      expect(blocking.objects.map((o) => o.rejected.filter((r) => r.line === 0).length)).toEqual([0, 1, 1, 0]);
      expect(blocking.textRows).toBeGreaterThan(2);
      expect(fs.readFileSync(path.join(lake.dir, 'true.txt'))).toEqual(fs.readFileSync(path.join(lake.dir, 'false.txt')));
    } finally {
      lake.cleanup();
    }
  });
});

describe('a partition too large to sort in memory', () => {
  // good (3 rows), cut (12,000 rows, then a read error), also-good (2 rows); the spill comes before or during the cut object.
  for (const holdBytes of [100, 20_000]) {
    it(`is written unsorted for DuckDB to sort, without the rows of an object refused after the spill (hold ${holdBytes} bytes)`, async () => {
      const lake = tempLake();
      const db = await open();
      try {
        const rows = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `"phi-dicom-archive","${prefix}-${n - i}","${i}"`).join('\n') + '\n';
        const truncated = zlib.gzipSync(rows('lost', 12_000));
        putInventoryReport(lake, {
          at: '2025-03-04T01:00:00Z',
          format: 'CSV',
          fileSchema: 'Bucket, Key, Size',
          files: [
            { name: 'good.csv.gz', body: zlib.gzipSync(rows('kept', 3)) },
            { name: 'cut.csv.gz', body: truncated.subarray(0, truncated.length - 64) },
            { name: 'also-good.csv.gz', body: zlib.gzipSync(rows('also', 2)) },
          ],
        });
        const [partition] = await scanLake(lake, ['s3_inventory'], 'all');
        const text = path.join(lake.dir, 'rows.txt');
        const parsed = await parsePartition(lake, {
          table: 's3_inventory',
          partition: partition!.id,
          files: partition!.files,
          text,
          json: path.join(lake.dir, 'rows.ndjson'),
          holdBytes,
        });
        expect(parsed).toMatchObject({ textRows: 5, jsonRows: 0, sorted: false });
        expect(parsed.objects.map((o) => o.records)).toEqual([3, 0, 2]);
        expect(fs.readFileSync(text, 'utf8').split('\n')).toHaveLength(6);
        const conn = await db.connect();
        const keys = (await conn.runAndReadAll(`SELECT key FROM (${rowTextRelation('s3_inventory', [text])}) ORDER BY key`)).getRows().flat();
        expect(keys).toEqual(['also-1', 'also-2', 'kept-1', 'kept-2', 'kept-3']);
      } finally {
        db.close();
        lake.cleanup();
      }
    });
  }
});

describe('a worker that fails', () => {
  it('reports a parse job that throws, and keeps serving', async () => {
    const lake = tempLake();
    try {
      putCloudTrail(lake, { at: '2025-03-01T08:00:00Z' }, [ctRecord()]);
      const [partition] = await scanLake(lake, ['cloudtrail_logs'], 'all');
      const parser = await startPartitionParser(1, lake);
      try {
        const job = (dir: string) => ({
          table: 'cloudtrail_logs' as const,
          partition: partition!.id,
          files: partition!.files,
          text: path.join(dir, 'rows.txt'),
          json: path.join(dir, 'rows.ndjson'),
          holdBytes: 1 << 20,
        });
        await expect(parser.parse(job(path.join(lake.dir, 'missing', 'dir')))).rejects.toThrow(/^parsing AWSLogs\/.* failed: ENOENT/);
        await expect(parser.parse(job(lake.dir))).resolves.toMatchObject({ textRows: 1, jsonRows: 0, sorted: true });
      } finally {
        await parser.close();
      }
    } finally {
      lake.cleanup();
    }
  });

  it('that crashes fails the compaction with the partition named, leaves the lake as it was, and a rerun finishes', async () => {
    const lake = tempLake();
    const db = await open();
    try {
      putCloudTrail(lake, { at: '2025-03-01T08:00:00Z' }, [ctRecord({ eventID: 'small' })]);
      const huge = Array.from({ length: 60_000 }, (_, i) => ctRecord({ eventID: `huge-${i}`, eventTime: '2025-03-02T00:00:00Z' }));
      putCloudTrail(lake, { at: '2025-03-02T08:00:00Z' }, huge);
      await materializeViews(await db.connect(), lake, 'raw');

      const crashed = compactLake(lake, { workers: 1, workerHeapMb: 16 });
      await expect(crashed).rejects.toThrow(/^a compaction worker stopped while parsing AWSLogs\/111122223333\/CloudTrail\/us-east-1\/2025\/03\/02: .*memory/);
      expect(fs.existsSync(path.join(lake.dir, COMPACT_DIR, 'manifest.json'))).toBe(false);
      expect(fs.readdirSync(path.join(lake.dir, '_custos', 'tmp')).filter((n) => n.startsWith('compact-'))).toEqual([]);
      expect(fs.existsSync(path.join(lake.dir, COMPACT_DIR, '.lock'))).toBe(false);

      expect(await compactLake(lake, { workers: 1 })).toMatchObject({ partitionsWritten: 2, records: 60_001 });
      await materializeViews(await db.connect(), lake, 'compacted');
      const conn = await db.connect();
      expect(await difference(conn, 'SELECT * FROM raw_cloudtrail_logs', 'SELECT * FROM compacted_cloudtrail_logs')).toEqual([0, 0]);
    } finally {
      db.close();
      lake.cleanup();
    }
  });
});
