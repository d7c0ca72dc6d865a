import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseEnv } from '@/lib/config/env';
import { createAthenaEngine } from '@/lib/engine/athena/adapter';
import { chunkDays } from '@/lib/engine/athena/access-index';
import type { AthenaConfig } from '@/lib/engine/athena/config';
import { EngineError, type AccessIndexBuild, type BindValue } from '@/lib/engine/port';
import { DDL_DIR, parseTableDefinition, renderDdl } from '@/lib/lake/schema';
import type { ScanScope } from '@/lib/lake/tables';
import {
  AwsReplay,
  athenaOk,
  fixture,
  jsonFixture,
  s3Xml,
  type ReplayRequest,
  type ReplayResponse,
} from '@/test/support/aws-replay';
import { listObjectsV2, queryExecution, tableMetadataResponder, testConfig } from './replay-builders';

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

const INDEX_BUCKET = 'custos-index';
const INDEX_PREFIX = 'audit/access_index/';
const INDEX_LOCATION = `s3://${INDEX_BUCKET}/${INDEX_PREFIX}`;
const STATE_KEY = `${INDEX_PREFIX}_custos/state.json`;
const TRAIL_ROOT = 'AWSLogs/111122223333/CloudTrail/us-east-1/';
const INSERT_SQL = 'INSERT INTO access_index SELECT ? AS a, ? AS b';
const EXECUTION_IDS = [
  '0c6f3a2e-1d4b-4e8a-9f7c-2b5d8e1a4c70',
  '7e2b9d41-5a3c-4f6e-8b1d-9c0a2e4f6b83',
  'a3d58c16-2e7f-4b9a-8c4d-1f6e0b3a5d92',
  '5b1e7c09-3f2a-4d6b-9e8c-0a4f2d7b1c65',
  'd94a0f27-6c1e-4b3d-a5f8-7e2c9b0d4a16',
];
/** The first day of the index in states a test starts from (the default backfill start of the first refresh). */
const INDEX_FROM = '2024-12-10';

function engine(overrides: Partial<AthenaConfig> = {}) {
  return createAthenaEngine(testConfig({ indexLocation: INDEX_LOCATION, ...overrides }), {
    athena: replay.athenaClient(),
    s3: replay.s3Client(),
  });
}

/** The domain's build, reduced to what the adapter sees: a statement whose `?` are the window's days. */
const build: AccessIndexBuild = {
  select: (days) => ({ sql: 'SELECT ? AS a, ? AS b', binds: window(days) }),
  insert: (days) => ({ sql: INSERT_SQL, binds: window(days) }),
};
function window(days: ScanScope): BindValue[] {
  return [
    { type: 'varchar', value: days.from },
    { type: 'varchar', value: days.to },
  ];
}

async function engineError(promise: Promise<unknown>): Promise<EngineError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(EngineError);
    return error as EngineError;
  }
  throw new Error('expected an EngineError');
}

const xmlEscape = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** S3's NoSuchKey for GetObject, as documented (REST error XML, HTTP 404). */
function noSuchKey(key: string): ReplayResponse {
  return s3Xml(
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
      `<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>${xmlEscape(key)}</Key>` +
      '<RequestId>4XW9ZQ2T7B1K6N3M</RequestId><HostId>Yt3kL8pQ1xZ6vB9nM2wE5rT8yU1iO4pA7sD0fG3hJ6kL9zX2cV5bN8mQ1wE4rT7y=</HostId></Error>',
    404,
  );
}

/**
 * The CloudTrail day folders of the log bucket as ListObjectsV2 with Delimiter '/' shows them:
 * the newest delivery day is 2025-03-`marchDays` (2025-03-12 unless a test says otherwise).
 */
function trailFolders(request: ReplayRequest, marchDays: number): ReplayResponse {
  const prefix = request.query.prefix ?? '';
  const folders: Record<string, string[]> = {
    [TRAIL_ROOT]: ['2024', '2025'],
    [`${TRAIL_ROOT}2025/`]: ['01', '02', '03'],
    [`${TRAIL_ROOT}2025/03/`]: Array.from({ length: marchDays }, (_, i) => String(i + 1).padStart(2, '0')),
  };
  return listObjectsV2({
    bucket: 'custos-logs',
    prefix,
    delimiter: '/',
    folders: (folders[prefix] ?? []).map((f) => `${prefix}${f}/`),
  });
}

type Insert = { executionId: string; from: string; to: string; fail?: boolean };

/**
 * The index bucket and Athena together: objects live in `objects`; an INSERT "writes" one Parquet
 * file per day of its bound window (a failing one, only its first day's, as an interrupted write
 * would), and its GetQueryExecution answers SUCCEEDED or FAILED in the recorded shapes.
 */
class IndexWorld {
  readonly objects = new Map<string, number>();
  readonly inserts: Insert[] = [];
  state: string | undefined;
  pageSize = 1000;
  /** Which inserts fail, by their order (0-based). */
  failing = new Set<number>();
  /** Called when an execution is polled while RUNNING. */
  onRunning: (() => void) | undefined;
  /** The newest CloudTrail delivery day is 2025-03-`marchDays`. */
  marchDays = 12;

  /** A state ending on `through`, starting on `from` (INDEX_FROM when `through` is a day). */
  constructor(state?: { from?: string | null; through: string | null }) {
    if (state) {
      const from = state.from === undefined ? (state.through === null ? null : INDEX_FROM) : state.from;
      this.state = JSON.stringify({ version: 1, from, through: state.through, updatedAt: '2025-03-11T06:00:04.512Z' });
    }
  }

  script(): void {
    replay
      .on('s3:ListObjectsV2', (r) => (r.bucket === INDEX_BUCKET ? this.list(r) : trailFolders(r, this.marchDays)))
      .on('s3:GetObject', (r) =>
        r.key === STATE_KEY && this.state !== undefined
          ? {
              status: 200,
              headers: {
                'content-type': 'application/json',
                'content-length': String(Buffer.byteLength(this.state)),
                etag: '"9b2cf535f27731c974343645a3985328"',
                'last-modified': 'Tue, 11 Mar 2025 06:00:05 GMT',
              },
              body: this.state,
            }
          : noSuchKey(r.key ?? ''),
      )
      .on('s3:PutObject', (r) => {
        if (r.key === STATE_KEY) this.state = r.body;
        return { status: 200, headers: jsonFixture<Record<string, string>>('s3/object-store/put-object.headers.json') };
      })
      .on('s3:DeleteObjects', (r) => {
        for (const [, key] of r.body.matchAll(/<Key>([^<]+)<\/Key>/g)) this.objects.delete(key!.replaceAll('&amp;', '&'));
        // Quiet mode: the result lists only the keys S3 could not delete.
        return s3Xml('<?xml version="1.0" encoding="UTF-8"?>\n<DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></DeleteResult>');
      })
      .on('athena:StartQueryExecution', (r) => {
        const [from, to] = (r.json.ExecutionParameters as string[]).map((p) => p.replaceAll("'", ''));
        const insert: Insert = { executionId: EXECUTION_IDS[this.inserts.length]!, from: from!, to: to! };
        if (this.failing.has(this.inserts.length)) insert.fail = true;
        this.inserts.push(insert);
        for (const day of insert.fail ? [from!] : daysOf(from!, to!)) {
          this.objects.set(`${INDEX_PREFIX}day=${day}/${insert.executionId}_00000_f0d8c2a1.zstd.parquet`, 4096);
        }
        return athenaOk({ QueryExecutionId: insert.executionId });
      })
      .on('athena:GetQueryExecution', (r) => {
        const insert = this.inserts.find((i) => i.executionId === r.json.QueryExecutionId)!;
        if (this.onRunning) {
          this.onRunning();
          return queryExecution('running', (b) => this.describe(b.QueryExecution, insert));
        }
        return queryExecution(insert.fail ? 'failed' : 'succeeded', (b) => {
          this.describe(b.QueryExecution, insert);
          if (insert.fail) {
            const reason = 'HIVE_CANNOT_OPEN_SPLIT: Error opening Hive split s3://custos-logs/AWSLogs/111122223333/CloudTrail/us-east-1/2025/03/05/111122223333_CloudTrail_us-east-1_20250305T0005Z_a1B2c3D4e5F6g7H8.json.gz: Slow Down';
            b.QueryExecution.Status.StateChangeReason = reason;
            (b.QueryExecution.Status.AthenaError as Record<string, unknown>).ErrorMessage = reason;
          }
        });
      })
      .on('athena:GetQueryResults', (r) => {
        const insert = this.inserts.find((i) => i.executionId === r.json.QueryExecutionId)!;
        return athenaOk({
          UpdateCount: daysOf(insert.from, insert.to).length * 100,
          ResultSet: { Rows: [], ResultSetMetadata: { ColumnInfo: [] } },
        });
      })
      .on('athena:StopQueryExecution', athenaOk({}));
  }

  through(): string | null {
    return this.state === undefined ? null : (JSON.parse(this.state) as { through: string | null }).through;
  }

  from(): string | null {
    return this.state === undefined ? null : (JSON.parse(this.state) as { from: string | null }).from;
  }

  /** The INSERT as Athena describes it: DML, INSERT, with a data manifest. */
  private describe(execution: Record<string, unknown>, insert: Insert): void {
    Object.assign(execution, {
      QueryExecutionId: insert.executionId,
      Query: INSERT_SQL,
      SubstatementType: 'INSERT',
      ExecutionParameters: [`'${insert.from}'`, `'${insert.to}'`],
      ResultConfiguration: { OutputLocation: `s3://custos-athena-results/custos/${insert.executionId}` },
    });
    (execution.Statistics as Record<string, unknown>).DataManifestLocation =
      `s3://custos-athena-results/custos/${insert.executionId}-manifest.csv`;
  }

  private list(request: ReplayRequest): ReplayResponse {
    const prefix = request.query.prefix ?? '';
    const after = request.query['start-after'] ?? '';
    const token = request.query['continuation-token'];
    const keys = [...this.objects.keys()].filter((k) => k.startsWith(prefix) && k > after).sort();
    const start = token ? Number(token.replace('page-', '')) : 0;
    const page = keys.slice(start, start + this.pageSize);
    const more = start + this.pageSize < keys.length;
    return listObjectsV2({
      bucket: INDEX_BUCKET,
      prefix,
      keys: page.map((key) => ({ key, size: this.objects.get(key)! })),
      continuationToken: token,
      nextContinuationToken: more ? `page-${start + this.pageSize}` : undefined,
    });
  }
}

function daysOf(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) {
    out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}

/** The calls that change the index or its watermark, in the order they were made. */
function writes(): string[] {
  return replay.received
    .filter((r) => ['s3:DeleteObjects', 'athena:StartQueryExecution', 's3:PutObject'].includes(r.operation))
    .map((r) => {
      if (r.operation === 's3:PutObject') {
        const state = JSON.parse(r.body) as { from: string; through: string };
        return `state ${state.from}..${state.through}`;
      }
      if (r.operation === 's3:DeleteObjects') return `delete ${[...r.body.matchAll(/<Key>([^<]+)<\/Key>/g)].map((m) => m[1]).join(' ')}`;
      return `insert ${(r.json.ExecutionParameters as string[]).join(' ')}`;
    });
}

const dayFile = (day: string, name: string) => `${INDEX_PREFIX}day=${day}/${name}`;

describe('Athena access index: the span', () => {
  it('is null before any refresh wrote a state', async () => {
    new IndexWorld().script();
    expect(await engine().accessIndex.span()).toBeNull();
    const [get] = replay.requests('s3:GetObject');
    expect(get).toMatchObject({ bucket: INDEX_BUCKET, key: STATE_KEY });
  });

  it("is the state's first and last indexed days", async () => {
    new IndexWorld({ from: '2024-07-01', through: '2025-03-01' }).script();
    expect(await engine().accessIndex.span()).toEqual({ from: '2024-07-01', through: '2025-03-01' });
  });

  it('is null for a state that holds no day', async () => {
    new IndexWorld({ from: null, through: null }).script();
    expect(await engine().accessIndex.span()).toBeNull();
  });

  it('refuses a state it does not understand instead of guessing', async () => {
    const where = `s3://${INDEX_BUCKET}/${STATE_KEY}`;
    const refusal = async (state: Record<string, unknown>) => {
      replay.reset();
      const world = new IndexWorld();
      world.state = JSON.stringify(state);
      world.script();
      return (await engineError(engine().accessIndex.span())).message;
    };
    const updatedAt = '2025-03-11T06:00:04.512Z';

    expect(await refusal({ version: 2, from: '2024-12-10', through: '2025-03-01', updatedAt })).toBe(
      `The access index state ${where} is not a version 1 state ({"version":1,"from":"YYYY-MM-DD"|null,"through":"YYYY-MM-DD"|null,"updatedAt":…}).`,
    );
    expect(await refusal({ version: 1, from: '2024-12-32', through: '2025-03-01', updatedAt })).toMatch(/is not a version 1 state/);
    expect(await refusal({ version: 1, through: '2025-03-01', updatedAt })).toBe(
      `The access index state ${where} says the index ends on 2025-03-01 but not which day it starts on ("from" is missing). ` +
        `Add "from":"YYYY-MM-DD" (the first day indexed) to it, or delete it with the index's day= folders to rebuild the index.`,
    );
    expect(await refusal({ version: 1, from: '2025-03-02', through: '2025-03-01', updatedAt })).toBe(
      `The access index state ${where} holds "from" 2025-03-02 and "through" 2025-03-01: ` +
        'both must be days, "from" on or before "through", or both null.',
    );
    expect(await refusal({ version: 1, from: '2024-12-10', through: null, updatedAt })).toMatch(/both must be days/);
  });
});

describe('Athena access index: refresh', () => {
  it('does nothing when every complete day is indexed (the newest delivery day minus two)', async () => {
    const world = new IndexWorld({ through: '2025-03-10' });
    world.script();
    const result = await engine().accessIndex.refresh(build);
    expect(result).toMatchObject({ daysBuilt: 0, rows: 0, bytesWritten: 0, through: '2025-03-10' });
    expect(replay.requests('athena:StartQueryExecution')).toHaveLength(0);
    expect(writes()).toEqual([]);
    expect(replay.unexpected).toEqual([]);
  });

  it('builds 40 due days as two INSERTs of 31 and 9 days, clearing leftovers first and moving the watermark after each', async () => {
    const world = new IndexWorld({ through: '2025-01-29' });
    const kept = dayFile('2025-01-29', 'indexed.zstd.parquet');
    world.objects.set(kept, 9000);
    world.objects.set(dayFile('2025-02-03', 'left-by-a-failed-attempt.zstd.parquet'), 512);
    world.objects.set(dayFile('2025-03-05', 'left-by-a-failed-attempt.zstd.parquet'), 512);
    world.objects.set(STATE_KEY, 90);
    world.script();

    const result = await engine({ resultReuseMinutes: 60 }).accessIndex.refresh(build);

    expect(world.inserts.map(({ from, to }) => [from, to, daysOf(from, to).length])).toEqual([
      ['2025-01-30', '2025-03-01', 31],
      ['2025-03-02', '2025-03-10', 9],
    ]);
    expect(writes()).toEqual([
      `delete ${dayFile('2025-02-03', 'left-by-a-failed-attempt.zstd.parquet')}`,
      "insert '2025-01-30' '2025-03-01'",
      `state ${INDEX_FROM}..2025-03-01`,
      `delete ${dayFile('2025-03-05', 'left-by-a-failed-attempt.zstd.parquet')}`,
      "insert '2025-03-02' '2025-03-10'",
      `state ${INDEX_FROM}..2025-03-10`,
    ]);
    expect(result).toMatchObject({ daysBuilt: 40, rows: 4000, bytesWritten: 40 * 4096, through: '2025-03-10' });
    expect(result.seconds).toBeGreaterThanOrEqual(0);
    expect(world.objects.has(kept)).toBe(true);
    expect(world.objects.has(STATE_KEY)).toBe(true);

    const [start] = replay.requests('athena:StartQueryExecution');
    expect(start!.json).toMatchObject({
      QueryString: INSERT_SQL,
      ExecutionParameters: ["'2025-01-30'", "'2025-03-01'"],
      QueryExecutionContext: { Catalog: 'AwsDataCatalog', Database: 'custos_audit' },
      WorkGroup: 'custos',
    });
    expect(start!.json).not.toHaveProperty('ResultReuseConfiguration');
    expect(replay.requests('s3:ListObjectsV2').filter((r) => r.bucket === INDEX_BUCKET)[0]!.query).toMatchObject({
      prefix: `${INDEX_PREFIX}day=`,
      'start-after': `${INDEX_PREFIX}day=2025-01-30`,
    });
    const state = JSON.parse(world.state!) as Record<string, unknown>;
    expect(state).toEqual({
      version: 1,
      from: INDEX_FROM,
      through: '2025-03-10',
      updatedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
    });
    expect(replay.unexpected).toEqual([]);
  });

  it('stops listing past the last day of a span and follows continuation tokens within it', async () => {
    const world = new IndexWorld({ through: '2025-03-07' });
    world.pageSize = 2;
    for (const day of ['2025-03-08', '2025-03-09']) {
      for (const n of [1, 2, 3]) world.objects.set(dayFile(day, `part-${n}.zstd.parquet`), 100);
    }
    const later = dayFile('2025-03-11', 'not-due.zstd.parquet');
    world.objects.set(later, 100);
    world.script();

    const result = await engine().accessIndex.refresh(build);
    expect(result).toMatchObject({ daysBuilt: 3, through: '2025-03-10' });
    const [deleted] = replay.requests('s3:DeleteObjects');
    expect([...deleted!.body.matchAll(/<Key>([^<]+)<\/Key>/g)]).toHaveLength(6);
    expect(deleted!.body).not.toContain('2025-03-11');
    expect(world.objects.has(later)).toBe(true);
  });

  it('starts 90 days before the last complete day when nothing is indexed, or at CUSTOS_ATHENA_INDEX_START', async () => {
    let world = new IndexWorld();
    world.script();
    await engine().accessIndex.refresh(build);
    expect(world.inserts.map(({ from, to }) => [from, to])).toEqual([
      ['2024-12-10', '2025-01-09'],
      ['2025-01-10', '2025-02-09'],
      ['2025-02-10', '2025-03-10'],
    ]);
    expect(world.through()).toBe('2025-03-10');
    expect(world.from()).toBe('2024-12-10');

    replay.reset();
    world = new IndexWorld();
    world.script();
    const result = await engine({ indexStart: '2025-03-01' }).accessIndex.refresh(build);
    expect(world.inserts.map(({ from, to }) => [from, to])).toEqual([['2025-03-01', '2025-03-10']]);
    expect(result).toMatchObject({ daysBuilt: 10, through: '2025-03-10' });
    expect(world.from()).toBe('2025-03-01');
  });

  it('records the first day of the first span written as `from`, and later refreshes keep it', async () => {
    const world = new IndexWorld();
    world.marchDays = 5; // the last complete day is 2025-03-03
    world.failing.add(0);
    world.script();

    // A first refresh whose first INSERT fails records no span: the next one starts afresh.
    await engineError(engine({ indexStart: '2025-02-20' }).accessIndex.refresh(build));
    expect(world.state).toBeUndefined();
    expect(await engine().accessIndex.span()).toBeNull();

    world.failing.clear();
    const first = await engine().accessIndex.refresh(build);
    expect(first).toMatchObject({ daysBuilt: 91, through: '2025-03-03' });
    expect(world.inserts.slice(1).map(({ from, to }) => [from, to])).toEqual([
      ['2024-12-03', '2025-01-02'],
      ['2025-01-03', '2025-02-02'],
      ['2025-02-03', '2025-03-03'],
    ]);
    expect(writes().filter((w) => w.startsWith('state'))).toEqual([
      'state 2024-12-03..2025-01-02',
      'state 2024-12-03..2025-02-02',
      'state 2024-12-03..2025-03-03',
    ]);

    // Later deliveries move the backfill start and the configured start differs: `from` stays.
    world.marchDays = 12;
    const later = await engine({ indexStart: '2025-01-01' }).accessIndex.refresh(build);
    expect(later).toMatchObject({ daysBuilt: 7, through: '2025-03-10' });
    expect(writes().at(-1)).toBe('state 2024-12-03..2025-03-10');
    expect(await engine().accessIndex.span()).toEqual({ from: '2024-12-03', through: '2025-03-10' });
    expect(replay.unexpected).toEqual([]);
  });

  it('keeps the watermark at the last successful span when an INSERT fails, and rebuilds the failed span next time', async () => {
    const world = new IndexWorld({ through: '2025-01-29' });
    world.failing.add(1);
    world.script();

    const error = await engineError(engine().accessIndex.refresh(build));
    expect(error.code).toBe('failed');
    expect(error.executionId).toBe(EXECUTION_IDS[1]);
    expect(error.message).toBe(
      'The access index was not built for 2025-03-02 to 2025-03-10: Athena could not run the query: ' +
        'HIVE_CANNOT_OPEN_SPLIT: Error opening Hive split s3://custos-logs/AWSLogs/111122223333/CloudTrail/us-east-1/2025/03/05/' +
        '111122223333_CloudTrail_us-east-1_20250305T0005Z_a1B2c3D4e5F6g7H8.json.gz: Slow Down. ' +
        'The index still ends on 2025-03-01; later days are read from the raw logs, and the next refresh starts again at 2025-03-02.',
    );
    expect(world.through()).toBe('2025-03-01');
    expect(writes().at(-1)).toBe("insert '2025-03-02' '2025-03-10'");
    const partial = dayFile('2025-03-02', `${EXECUTION_IDS[1]}_00000_f0d8c2a1.zstd.parquet`);
    expect(world.objects.has(partial)).toBe(true);

    world.failing.clear();
    const retried = await engine().accessIndex.refresh(build);
    expect(retried).toMatchObject({ daysBuilt: 9, through: '2025-03-10' });
    expect(writes().slice(-3)).toEqual([`delete ${partial}`, "insert '2025-03-02' '2025-03-10'", `state ${INDEX_FROM}..2025-03-10`]);
    expect(world.objects.has(partial)).toBe(false);
  });

  it('stops the running INSERT when the refresh is cancelled and leaves the watermark', async () => {
    const world = new IndexWorld({ through: '2025-03-07' });
    const controller = new AbortController();
    world.onRunning = () => controller.abort();
    world.script();

    const error = await engineError(engine().accessIndex.refresh(build, { signal: controller.signal }));
    expect(error.code).toBe('cancelled');
    expect(replay.requests('athena:StopQueryExecution')[0]!.json).toEqual({ QueryExecutionId: EXECUTION_IDS[0] });
    expect(replay.requests('s3:PutObject')).toHaveLength(0);
    expect(world.through()).toBe('2025-03-07');

    await expect(engine().accessIndex.refresh(build, { signal: AbortSignal.abort() })).rejects.toMatchObject({
      code: 'cancelled',
    });
  });

  it('without an index location, indexes nothing and calls no AWS API', async () => {
    const index = engine({ indexLocation: undefined }).accessIndex;
    expect(await index.span()).toBeNull();
    const result = await index.refresh(build);
    expect(result).toMatchObject({ daysBuilt: 0, rows: 0, bytesWritten: 0, through: null });
    expect(replay.received).toEqual([]);
  });
});

describe('Athena access index: chunks, DDL and configuration', () => {
  it('splits due days into spans of at most 31', () => {
    expect(chunkDays('2025-01-01', '2025-01-31', 31)).toEqual([{ from: '2025-01-01', to: '2025-01-31' }]);
    expect(chunkDays('2025-01-01', '2025-02-01', 31)).toEqual([
      { from: '2025-01-01', to: '2025-01-31' },
      { from: '2025-02-01', to: '2025-02-01' },
    ]);
    expect(chunkDays('2025-01-02', '2025-01-01', 31)).toEqual([]);
  });

  it('defines access_index with its columns in order, partitioned by day, projected and rendered to the location', () => {
    const def = parseTableDefinition(fs.readFileSync(path.join(DDL_DIR, 'access_index.sql'), 'utf8'));
    expect(def.name).toBe('access_index');
    expect(def.columns.map((c) => c.name)).toEqual([
      'event_time', 'principal', 'person', 'role', 'action', 'source', 'image_set_id', 'bucket', 'object_key',
      'study_prefix', 'source_ip', 'user_agent', 'outcome', 'sources', 'request_id', 'event_id',
    ]);
    expect(new Set(def.columns.map((c) => JSON.stringify(c.type)))).toEqual(new Set(['{"kind":"primitive","name":"string"}']));
    expect(def.partitions).toEqual([{ name: 'day', type: { kind: 'primitive', name: 'string' } }]);
    expect(def.properties).toMatchObject({
      'projection.enabled': 'true',
      'projection.day.type': 'date',
      'projection.day.format': 'yyyy-MM-dd',
      'projection.day.interval': '1',
      'projection.day.interval.unit': 'DAYS',
      'storage.location.template': '{{INDEX_LOCATION}}day=${day}/',
      'parquet.compression': 'ZSTD',
    });
    const ddl = renderDdl(def, { INDEX_LOCATION });
    expect(ddl).toContain(`LOCATION '${INDEX_LOCATION}'`);
    expect(ddl).toContain(`'storage.location.template' = '${INDEX_LOCATION}day=\${day}/'`);
  });

  it('reads the index location and first day from the environment, and rejects malformed ones', () => {
    const env = parseEnv({
      CUSTOS_ENGINE: 'athena',
      CUSTOS_ATHENA_INDEX_LOCATION: INDEX_LOCATION,
      CUSTOS_ATHENA_INDEX_START: '2024-07-01',
    });
    expect(env).toMatchObject({ CUSTOS_ATHENA_INDEX_LOCATION: INDEX_LOCATION, CUSTOS_ATHENA_INDEX_START: '2024-07-01' });
    expect(() => parseEnv({ CUSTOS_ATHENA_INDEX_LOCATION: `s3://${INDEX_BUCKET}/audit/access_index` })).toThrow(
      /CUSTOS_ATHENA_INDEX_LOCATION: expected an s3:\/\/bucket\/prefix\/ URI ending in \//,
    );
    expect(() => parseEnv({ CUSTOS_ATHENA_INDEX_START: '2024-02-30' })).toThrow(/CUSTOS_ATHENA_INDEX_START: expected a day YYYY-MM-DD/);
  });

  it('adds an access index line to config check when a location is set', async () => {
    replay
      .on('athena:GetWorkGroup', athenaOk(jsonFixture('athena/get-work-group.json')))
      .on('athena:GetDatabase', athenaOk(jsonFixture('athena/get-database.json')))
      .on('athena:GetTableMetadata', tableMetadataResponder)
      .on('s3:ListObjectsV2', (req) =>
        req.bucket === INDEX_BUCKET
          ? listObjectsV2({ bucket: INDEX_BUCKET, prefix: INDEX_PREFIX })
          : s3Xml(fixture('s3/list-objects-v2-cloudtrail-day.xml')),
      );
    const checks = await engine().checkConfig();
    expect(checks.find((c) => c.item === 'Table access_index')).toMatchObject({ ok: true });
    expect(checks.map((c) => c.item).slice(-3)).toEqual(['Log bucket', 'Access index location', 'IAM permissions']);
    expect(checks.find((c) => c.item === 'Access index location')).toEqual({
      item: 'Access index location',
      ok: true,
      message: `${INDEX_LOCATION} is empty: the scheduled refresh fills it (table access_index from lib/lake/ddl/access_index.sql)`,
    });
    const listed = replay.requests('s3:ListObjectsV2').find((r) => r.bucket === INDEX_BUCKET)!;
    expect(listed.query).toMatchObject({ prefix: INDEX_PREFIX, 'max-keys': '1' });

    const without = await engine({ indexLocation: undefined }).checkConfig();
    expect(without.map((c) => c.item)).not.toContain('Access index location');
  });
});
