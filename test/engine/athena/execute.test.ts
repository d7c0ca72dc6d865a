import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAthenaEngine } from '@/lib/engine/athena/adapter';
import type { AthenaConfig } from '@/lib/engine/athena/config';
import { encodeLiteral } from '@/lib/engine/athena/literal';
import {
  EngineError,
  athenaCostUsd,
  type BindValue,
  type Cell,
  type EngineExecution,
  type EngineProgress,
  type EngineRequest,
} from '@/lib/engine/port';
import { AwsReplay, athenaError, athenaOk, fixture, jsonFixture } from '@/test/support/aws-replay';
import {
  EXECUTION_ID,
  generatedCsv,
  generatedResultPages,
  generatedRow,
  queryExecution,
  testConfig,
} from './replay-builders';

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

const TOKEN = 'run-7f3a9c2e-5b1d-4e8f-a6c4-0d2b9e7f1a35';
const SQL =
  'SELECT eventtime, eventname FROM cloudtrail_logs WHERE "timestamp" BETWEEN ? AND ? AND useridentity.arn = ?';
const BINDS: BindValue[] = [
  { type: 'varchar', value: '2025/03/01' },
  { type: 'varchar', value: '2025/03/05' },
  { type: 'varchar', value: 'arn:aws:sts::111122223333:assumed-role/Radiologist/jdoe' },
];

function request(overrides: Partial<EngineRequest> = {}): EngineRequest {
  return { sql: SQL, binds: BINDS, tables: ['cloudtrail_logs'], scope: { from: '2025-03-01', to: '2025-03-04' }, requestToken: TOKEN, ...overrides };
}

async function drain(execution: EngineExecution): Promise<Cell[][]> {
  const rows: Cell[][] = [];
  for await (const batch of execution.batches) rows.push(...batch);
  return rows;
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

function scriptSuccess(pages: Parameters<AwsReplay['on']>[1]) {
  replay
    .on('athena:StartQueryExecution', athenaOk(jsonFixture('athena/start-query-execution.json')))
    .on(
      'athena:GetQueryExecution',
      queryExecution('queued'),
      queryExecution('running'),
      queryExecution('running'),
      queryExecution('succeeded'),
    )
    .on('athena:GetQueryResults', pages);
}

describe('Athena execute: starting and polling', () => {
  it('sends the saved SQL, the encoded literals, context, workgroup, result location and request token', async () => {
    scriptSuccess(athenaOk(jsonFixture('athena/get-query-results-first-page.json')));
    const execution = await engine().execute(request());
    await drain(execution);

    const [start, ...more] = replay.requests('athena:StartQueryExecution');
    expect(more).toHaveLength(0);
    expect(start!.json).toEqual({
      QueryString: SQL,
      ExecutionParameters: BINDS.map(encodeLiteral),
      QueryExecutionContext: { Catalog: 'AwsDataCatalog', Database: 'custos_audit' },
      WorkGroup: 'custos',
      ResultConfiguration: { OutputLocation: 's3://custos-athena-results/custos/' },
      ClientRequestToken: TOKEN,
    });
    expect(replay.requests('athena:GetQueryExecution').map((r) => r.json)).toEqual(
      Array(4).fill({ QueryExecutionId: EXECUTION_ID }),
    );
    expect(replay.unexpected).toEqual([]);
  });

  it('passes hostile values as exactly the encoded literals, one per placeholder', async () => {
    scriptSuccess(athenaOk(jsonFixture('athena/get-query-results-first-page.json')));
    const binds: BindValue[] = [
      { type: 'varchar', value: "' OR 1=1 --" },
      { type: 'varchar', value: "'); DROP TABLE x; --" },
      { type: 'date', value: '2025-03-04' },
      { type: 'timestamp', value: '2025-03-04T00:00:00Z' },
      { type: 'bigint', value: 12 },
      { type: 'boolean', value: true },
    ];
    await drain(await engine().execute(request({ binds, sql: 'SELECT ? , ?, ?, ?, ?, ?' })));
    expect(replay.requests('athena:StartQueryExecution')[0]!.json.ExecutionParameters).toEqual([
      "''' OR 1=1 --'",
      "'''); DROP TABLE x; --'",
      "DATE '2025-03-04'",
      "from_iso8601_timestamp('2025-03-04T00:00:00Z')",
      '12',
      'true',
    ]);
  });

  it('omits ExecutionParameters without binds and ResultConfiguration when the workgroup provides it', async () => {
    scriptSuccess(athenaOk(jsonFixture('athena/get-query-results-first-page.json')));
    await drain(await engine({ outputLocation: undefined }).execute(request({ binds: [], sql: 'SELECT 1' })));
    const sent = replay.requests('athena:StartQueryExecution')[0]!.json;
    expect(sent).not.toHaveProperty('ExecutionParameters');
    expect(sent).not.toHaveProperty('ResultConfiguration');
    expect(sent).not.toHaveProperty('ResultReuseConfiguration');
  });

  it('refuses a value it cannot encode before anything is sent', async () => {
    const error = await engineError(
      engine().execute(request({ binds: [{ type: 'varchar', value: 'a'.repeat(1100) }], sql: 'SELECT ?' })),
    );
    expect(error.code).toBe('failed');
    expect(error.message).toMatch(/Parameter 1: the value is too long for Athena/);
    expect(replay.received).toHaveLength(0);
  });

  it('turns a short caller token into a valid one and generates one when none is given', async () => {
    scriptSuccess(athenaOk(jsonFixture('athena/get-query-results-first-page.json')));
    await drain(await engine().execute(request({ requestToken: 'run-42' })));
    await drain(await engine().execute(request({ requestToken: 'run-42' })));
    await drain(await engine().execute(request({ requestToken: undefined })));
    const tokens = replay.requests('athena:StartQueryExecution').map((r) => r.json.ClientRequestToken as string);
    expect(tokens[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(tokens[1]).toBe(tokens[0]);
    expect(tokens[2]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('reports progress: queued, running with bytes scanned, then fetching', async () => {
    scriptSuccess(athenaOk(jsonFixture('athena/get-query-results-first-page.json')));
    const progress: EngineProgress[] = [];
    await drain(await engine().execute(request({ onProgress: (p) => progress.push(p) })));
    expect(progress.map((p) => p.state)).toEqual(['queued', 'running', 'running', 'fetching']);
    expect(progress[1]!.bytesScanned).toBe(268435456);
    expect(progress.at(-1)).toMatchObject({ state: 'fetching', rowsFetched: 3, bytesScanned: 734003200 });
  });

  it('maps FAILED to EngineError("failed") with Athena\'s reason and the execution id', async () => {
    replay
      .on('athena:StartQueryExecution', athenaOk(jsonFixture('athena/start-query-execution.json')))
      .on('athena:GetQueryExecution', queryExecution('running'), queryExecution('failed'));
    const error = await engineError(engine().execute(request()));
    expect(error.code).toBe('failed');
    expect(error.message).toBe('Athena could not run the query: Incorrect number of parameters: expected 3 but found 2');
    expect(error.executionId).toBe(EXECUTION_ID);
    expect(replay.requests('athena:GetQueryResults')).toHaveLength(0);
  });

  it('maps a CANCELLED execution nobody here stopped to EngineError("cancelled")', async () => {
    replay
      .on('athena:StartQueryExecution', athenaOk(jsonFixture('athena/start-query-execution.json')))
      .on('athena:GetQueryExecution', queryExecution('running'), queryExecution('cancelled'))
      .on('athena:GetWorkGroup', athenaOk(jsonFixture('athena/get-work-group.json')));
    const error = await engineError(engine().execute(request()));
    expect(error.code).toBe('cancelled');
    expect(error.message).toMatch(/cancelled outside Custos/);
    expect(error.executionId).toBe(EXECUTION_ID);
  });

  it('maps the workgroup\'s BytesScannedCutoffPerQuery cancellation to EngineError("limit") in plain words', async () => {
    replay
      .on('athena:StartQueryExecution', athenaOk(jsonFixture('athena/start-query-execution.json')))
      .on('athena:GetQueryExecution', queryExecution('running'), queryExecution('cutoff'))
      .on('athena:GetWorkGroup', athenaOk(jsonFixture('athena/get-work-group.json')));
    const error = await engineError(engine().execute(request()));
    expect(error.code).toBe('limit');
    expect(error.message).toBe(
      'Athena stopped the query after it scanned 10 MB: the workgroup "custos" allows at most 10 MB ' +
        '(10,485,760 bytes) per query (BytesScannedCutoffPerQuery). Narrow the date range, or ask an ' +
        'administrator to raise the limit. The data scanned before the stop is billed.',
    );
    expect(error.executionId).toBe(EXECUTION_ID);
    expect(replay.requests('athena:GetWorkGroup')[0]!.json).toEqual({ WorkGroup: 'custos' });
  });

  it('recognises the cutoff by the scanned bytes when Athena gives no reason', async () => {
    replay
      .on('athena:StartQueryExecution', athenaOk(jsonFixture('athena/start-query-execution.json')))
      .on(
        'athena:GetQueryExecution',
        queryExecution('cutoff', (b) => {
          delete b.QueryExecution.Status.StateChangeReason;
        }),
      )
      .on('athena:GetWorkGroup', athenaOk(jsonFixture('athena/get-work-group.json')));
    expect((await engineError(engine().execute(request()))).code).toBe('limit');
  });

  it('still names the cutoff when the workgroup cannot be read', async () => {
    replay
      .on('athena:StartQueryExecution', athenaOk(jsonFixture('athena/start-query-execution.json')))
      .on('athena:GetQueryExecution', queryExecution('cutoff'))
      .on('athena:GetWorkGroup', athenaError(jsonFixture('athena/error-access-denied-get-work-group.json')));
    const error = await engineError(engine().execute(request()));
    expect(error.code).toBe('limit');
    expect(error.message).toMatch(/workgroup "custos" has a per-query data limit \(BytesScannedCutoffPerQuery\)/);
  });

  it('retries throttling on every call with the same ClientRequestToken, then succeeds', async () => {
    replay
      .on(
        'athena:StartQueryExecution',
        athenaError(jsonFixture('athena/error-too-many-requests.json')),
        athenaError(jsonFixture('athena/error-too-many-requests.json')),
        athenaOk(jsonFixture('athena/start-query-execution.json')),
      )
      .on(
        'athena:GetQueryExecution',
        athenaError(jsonFixture('athena/error-throttling.json')),
        queryExecution('succeeded'),
      )
      .on(
        'athena:GetQueryResults',
        athenaError(jsonFixture('athena/error-throttling.json')),
        athenaOk(jsonFixture('athena/get-query-results-first-page.json')),
      );
    const rows = await drain(await engine().execute(request()));
    expect(rows).toHaveLength(3);
    const starts = replay.requests('athena:StartQueryExecution');
    expect(starts).toHaveLength(3);
    expect(new Set(starts.map((r) => r.json.ClientRequestToken))).toEqual(new Set([TOKEN]));
    expect(replay.requests('athena:GetQueryExecution')).toHaveLength(2);
    expect(replay.requests('athena:GetQueryResults')).toHaveLength(2);
  });

  it('gives up on persistent throttling with EngineError("throttled")', async () => {
    replay.on('athena:StartQueryExecution', athenaError(jsonFixture('athena/error-too-many-requests.json')));
    const error = await engineError(engine().execute(request()));
    expect(error.code).toBe('throttled');
    expect(error.message).toMatch(/athena:StartQueryExecution \(TooManyRequestsException\) after 4 attempts/);
    expect(replay.requests('athena:StartQueryExecution')).toHaveLength(4);
  });

  it('stops the execution on Athena when the timeout passes', async () => {
    replay
      .on('athena:StartQueryExecution', athenaOk(jsonFixture('athena/start-query-execution.json')))
      .on('athena:GetQueryExecution', queryExecution('running'))
      .on('athena:StopQueryExecution', athenaOk({}));
    const error = await engineError(engine({ timeoutMs: 50 }).execute(request()));
    expect(error.code).toBe('timeout');
    expect(error.message).toBe('The query did not finish within 50 ms and was stopped.');
    expect(error.executionId).toBe(EXECUTION_ID);
    expect(replay.requests('athena:StopQueryExecution').map((r) => r.json)).toEqual([{ QueryExecutionId: EXECUTION_ID }]);
  });

  it('stops the execution on Athena when the caller aborts', async () => {
    const controller = new AbortController();
    replay
      .on('athena:StartQueryExecution', athenaOk(jsonFixture('athena/start-query-execution.json')))
      .on('athena:GetQueryExecution', () => {
        if (replay.requests('athena:GetQueryExecution').length === 3) controller.abort();
        return queryExecution('running');
      })
      .on('athena:StopQueryExecution', athenaOk({}));
    const error = await engineError(engine().execute(request({ signal: controller.signal })));
    expect(error.code).toBe('cancelled');
    expect(error.executionId).toBe(EXECUTION_ID);
    expect(replay.requests('athena:StopQueryExecution').map((r) => r.json)).toEqual([{ QueryExecutionId: EXECUTION_ID }]);
  });

  it('starts nothing when the signal is already aborted', async () => {
    const error = await engineError(engine().execute(request({ signal: AbortSignal.abort() })));
    expect(error.code).toBe('cancelled');
    expect(replay.received).toHaveLength(0);
  });

  it('names the missing IAM action when Athena denies the start', async () => {
    replay.on('athena:StartQueryExecution', athenaError(jsonFixture('athena/error-access-denied-start-query-execution.json')));
    const error = await engineError(engine().execute(request()));
    expect(error.code).toBe('config');
    expect(error.message).toBe('Custos is not allowed to run Athena queries: the IAM permission athena:StartQueryExecution is missing.');
  });

  it('reports a missing workgroup as a configuration error', async () => {
    replay.on('athena:StartQueryExecution', athenaError(jsonFixture('athena/error-work-group-not-found.json')));
    const error = await engineError(engine().execute(request()));
    expect(error.code).toBe('config');
    expect(error.message).toMatch(/WorkGroup custos-missing is not found/);
  });
});

describe('Athena execute: results', () => {
  it('maps ColumnInfo to port types and Athena text to canonical cells, skipping the header row', async () => {
    scriptSuccess(athenaOk(jsonFixture('athena/get-query-results-first-page.json')));
    const execution = await engine().execute(request());
    expect(execution.executionId).toBe(EXECUTION_ID);
    expect(execution.columns).toEqual([
      { name: 'event_time', type: 'timestamp' },
      { name: 'principal', type: 'varchar' },
      { name: 'eventname', type: 'varchar' },
      { name: 'errorcode', type: 'varchar' },
      { name: 'requests', type: 'bigint' },
      { name: 'read_only', type: 'boolean' },
      { name: 'day', type: 'date' },
      { name: 'regions', type: 'array(varchar)' },
      { name: 'ratio', type: 'double' },
    ]);
    const jdoe = 'arn:aws:sts::111122223333:assumed-role/Radiologist/jdoe';
    expect(await drain(execution)).toEqual([
      ['2025-03-04T15:22:09.000Z', jdoe, 'GetImageFrame', null, 42, true, '2025-03-04', ['us-east-1'], 1],
      ['2025-03-04T16:01:44.250Z', jdoe, 'Decrypt', 'AccessDenied', '9007199254740993', true, '2025-03-04', ['us-east-1', 'us-west-2'], 0.5],
      ['2025-03-05T08:00:00.000Z', jdoe, '', null, null, false, null, [], null],
    ]);
  });

  it('pages through GetQueryResults (MaxResults 1000) for more than 1000 rows', async () => {
    scriptSuccess(generatedResultPages(2500));
    const execution = await engine().execute(request());
    const batches: Cell[][][] = [];
    for await (const batch of execution.batches) batches.push(batch);
    expect(batches.map((b) => b.length)).toEqual([999, 1000, 501]);
    const rows = batches.flat();
    expect(rows).toHaveLength(2500);
    rows.forEach((row, n) => expect(row).toEqual([n, generatedRow(n)[1]]));
    expect(replay.requests('athena:GetQueryResults').map((r) => r.json)).toEqual([
      { QueryExecutionId: EXECUTION_ID, MaxResults: 1000 },
      { QueryExecutionId: EXECUTION_ID, MaxResults: 1000, NextToken: 'page-1' },
      { QueryExecutionId: EXECUTION_ID, MaxResults: 1000, NextToken: 'page-2' },
    ]);
    expect(replay.requests('s3:GetObject')).toHaveLength(0);
  });

  it('streams the rest of a large result from the CSV result object once the threshold is reached', async () => {
    const total = 20_000;
    scriptSuccess(generatedResultPages(total));
    replay.on('s3:GetObject', { status: 200, headers: { 'content-type': 'text/csv' }, body: generatedCsv(total) });
    const progress: EngineProgress[] = [];
    const execution = await engine({ csvResultRowThreshold: 999 }).execute(request({ onProgress: (p) => progress.push(p) }));
    const batches: Cell[][][] = [];
    for await (const batch of execution.batches) batches.push(batch);
    const rows = batches.flat();
    expect(rows).toHaveLength(total);
    rows.forEach((row, n) => expect(row).toEqual([n, generatedRow(n)[1]]));
    expect(Math.max(...batches.map((b) => b.length))).toBeLessThanOrEqual(1000);
    expect(replay.requests('athena:GetQueryResults')).toHaveLength(1);
    const [get] = replay.requests('s3:GetObject');
    expect({ bucket: get!.bucket, key: get!.key }).toEqual({
      bucket: 'custos-athena-results',
      key: `custos/${EXECUTION_ID}.csv`,
    });
    expect(progress.at(-1)).toMatchObject({ state: 'fetching', rowsFetched: total });
  });

  it('reads the CSV result while the consumer reads, and hangs up when it stops early', async () => {
    const total = 2_000_000;
    scriptSuccess(generatedResultPages(total));
    replay.on('s3:GetObject', { status: 200, headers: { 'content-type': 'text/csv' }, body: generatedCsv(total) });
    const execution = await engine({ csvResultRowThreshold: 999 }).execute(request());
    let rows = 0;
    for await (const batch of execution.batches) {
      rows += batch.length;
      if (rows >= 5_000) break;
    }
    await expect(execution.stats()).resolves.toMatchObject({ executionId: EXECUTION_ID });
    const [get] = replay.requests('s3:GetObject');
    for (let i = 0; i < 200 && !get!.response.closed; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(get!.response.closed).toBe(true);
    expect(get!.response.finished).toBe(false);
    // The whole object is about 70 MB; only socket buffers' worth was ever produced.
    expect(get!.response.bytes).toBeLessThan(20 * 1024 * 1024);
  });

  it('decodes the recorded CSV result file: quotes, NULL, "" and embedded newlines', async () => {
    replay
      .on('athena:StartQueryExecution', athenaOk(jsonFixture('athena/start-query-execution.json')))
      .on('athena:GetQueryExecution', queryExecution('succeeded'))
      .on('athena:GetQueryResults', () => {
        const page = jsonFixture<{ ResultSet: { Rows: unknown[] }; NextToken?: string }>('athena/get-query-results-first-page.json');
        page.ResultSet.Rows = page.ResultSet.Rows.slice(0, 2);
        page.NextToken = 'next';
        return athenaOk(page as unknown as Record<string, unknown>);
      })
      .on('s3:GetObject', { status: 200, headers: { 'content-type': 'text/csv' }, body: fixture('s3/query-result.csv') });
    const rows = await drain(await engine({ csvResultRowThreshold: 1 }).execute(request()));
    expect(rows).toEqual([
      ['2025-03-04T15:22:09.000Z', 'arn:aws:sts::111122223333:assumed-role/Radiologist/jdoe', 'GetImageFrame', null, 42, true, '2025-03-04', ['us-east-1'], 1],
      ['2025-03-04T16:01:44.250Z', 'arn:aws:sts::111122223333:assumed-role/O\'Brien "Dr", MD/session', 'Decrypt', 'AccessDenied', '9007199254740993', true, '2025-03-04', ['us-east-1', 'us-west-2'], 0.5],
      ['2025-03-05T08:00:00.000Z', 'multi\nline', '', '', null, false, null, [], null],
    ]);
  });

  it('keeps paging through the API when the CSV object cannot be read', async () => {
    scriptSuccess(generatedResultPages(2500));
    replay.on('s3:GetObject', { status: 403, headers: { 'content-type': 'application/xml' }, body: fixture('s3/error-access-denied-list-bucket.xml') });
    const rows = await drain(await engine({ csvResultRowThreshold: 999 }).execute(request()));
    expect(rows).toHaveLength(2500);
    expect(replay.requests('athena:GetQueryResults')).toHaveLength(3);
  });

  it('reports stats from the execution: bytes, engine time, cost, not reused', async () => {
    scriptSuccess(athenaOk(jsonFixture('athena/get-query-results-first-page.json')));
    const execution = await engine().execute(request());
    await drain(execution);
    expect(await execution.stats()).toEqual({
      durationMs: 4387,
      bytesScanned: 734003200,
      filesScanned: null,
      executionId: EXECUTION_ID,
      reused: false,
      costUsd: athenaCostUsd(734003200),
    });
  });

  it('asks for result reuse when configured and reports a reused result as free', async () => {
    replay
      .on('athena:StartQueryExecution', athenaOk(jsonFixture('athena/start-query-execution.json')))
      .on('athena:GetQueryExecution', queryExecution('succeeded-reused'))
      .on('athena:GetQueryResults', athenaOk(jsonFixture('athena/get-query-results-first-page.json')));
    const execution = await engine({ resultReuseMinutes: 60 }).execute(request());
    await drain(execution);
    expect(replay.requests('athena:StartQueryExecution')[0]!.json.ResultReuseConfiguration).toEqual({
      ResultReuseByAgeConfiguration: { Enabled: true, MaxAgeInMinutes: 60 },
    });
    expect(await execution.stats()).toMatchObject({ reused: true, bytesScanned: 0, costUsd: 0 });
  });

  it('stops reading with EngineError("cancelled") when the caller aborts mid-result', async () => {
    scriptSuccess(generatedResultPages(2500));
    const controller = new AbortController();
    const execution = await engine().execute(request({ signal: controller.signal }));
    const iterator = execution.batches[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toHaveLength(999);
    controller.abort();
    const error = await engineError(iterator.next());
    expect(error.code).toBe('cancelled');
    expect(error.executionId).toBe(EXECUTION_ID);
    expect(replay.requests('athena:GetQueryResults')).toHaveLength(1);
  });

  it('retries a transient server error while polling and paging', async () => {
    const internal = athenaError({ __type: 'InternalServerException', Message: 'Internal error' }, 500);
    replay
      .on('athena:StartQueryExecution', athenaOk(jsonFixture('athena/start-query-execution.json')))
      .on('athena:GetQueryExecution', internal, queryExecution('succeeded'))
      .on('athena:GetQueryResults', internal, athenaOk(jsonFixture('athena/get-query-results-first-page.json')));
    expect(await drain(await engine().execute(request()))).toHaveLength(3);
    expect(replay.requests('athena:GetQueryExecution')).toHaveLength(2);
  });

  it('rejects stats() with the error when reading the results fails', async () => {
    replay
      .on('athena:StartQueryExecution', athenaOk(jsonFixture('athena/start-query-execution.json')))
      .on('athena:GetQueryExecution', queryExecution('succeeded'))
      .on('athena:GetQueryResults', generatedResultPages(2500))
      .on('athena:GetQueryResults', athenaError({ __type: 'InvalidRequestException', Message: 'Query has expired' }));
    const execution = await engine().execute(request());
    const error = await engineError(drain(execution));
    expect(error.code).toBe('failed');
    expect(error.message).toMatch(/InvalidRequestException\): Query has expired/);
    await expect(execution.stats()).rejects.toBe(error);
  });
});

const REAL = path.resolve(process.cwd(), '../shared/fixtures/real/athena/awscli_athena_example_responses.json');

describe.skipIf(!fs.existsSync(REAL))('Athena execute: AWS CLI documentation responses (shared real fixtures)', () => {
  type Example = { operation: string; response: Record<string, unknown> };
  const examples = () => (JSON.parse(fs.readFileSync(REAL, 'utf8')) as { examples: Example[] }).examples;

  it('reads AWS\'s documented GetQueryExecution and GetQueryResults', async () => {
    const find = (op: string) => examples().find((e) => e.operation === op)!.response;
    replay
      .on('athena:StartQueryExecution', athenaOk({ QueryExecutionId: 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111' }))
      .on('athena:GetQueryExecution', athenaOk(find('get-query-execution')))
      .on('athena:GetQueryResults', athenaOk(find('get-query-results')));
    const execution = await engine().execute(request({ binds: [], sql: 'SELECT 1' }));
    expect(execution.columns).toEqual([
      { name: 'date', type: 'date' },
      { name: 'location', type: 'varchar' },
      { name: 'browser', type: 'varchar' },
      { name: 'uri', type: 'varchar' },
      { name: 'status', type: 'integer' },
    ]);
    const rows = await drain(execution);
    expect(rows).toHaveLength(10);
    expect(rows[0]).toEqual(['2014-07-05', 'SFO4', 'Safari', '/test-image-2.jpeg', 200]);
    expect(await execution.stats()).toMatchObject({
      executionId: 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111',
      bytesScanned: 203089,
      durationMs: 3821,
      costUsd: athenaCostUsd(203089),
    });
  });
});
