import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAthenaEngine } from '@/lib/engine/athena/adapter';
import type { AthenaConfig } from '@/lib/engine/athena/config';
import type { ConfigCheck } from '@/lib/engine/port';
import { AwsReplay, athenaError, athenaOk, fixture, jsonFixture, s3Xml } from '@/test/support/aws-replay';
import { accessIndexTableMetadata, tableMetadata, tableMetadataResponder, testConfig } from './replay-builders';
import { LAKE_TABLES } from '@/lib/lake/tables';

/** Every table config check looks up, in order: the lake tables, then the access index. */
const TABLES = [...LAKE_TABLES, 'access_index'];

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

type WorkGroupBody = { WorkGroup: { State: string; Configuration: Record<string, unknown> } };

function scriptHealthy(workGroup: (body: WorkGroupBody) => void = () => undefined) {
  const body = jsonFixture<WorkGroupBody>('athena/get-work-group.json');
  workGroup(body);
  replay
    .on('athena:GetWorkGroup', athenaOk(body))
    .on('athena:GetDatabase', athenaOk(jsonFixture('athena/get-database.json')))
    .on('athena:GetTableMetadata', tableMetadataResponder)
    .on('s3:ListObjectsV2', s3Xml(fixture('s3/list-objects-v2-cloudtrail-day.xml')));
}

const byItem = (checks: ConfigCheck[]) => Object.fromEntries(checks.map((c) => [c.item, c]));

describe('Athena checkConfig', () => {
  it('passes every item when the workgroup, database, tables and bucket are in place', async () => {
    scriptHealthy();
    const checks = await engine().checkConfig();
    expect(checks.map((c) => c.item)).toEqual([
      'AWS Region',
      'Athena workgroup',
      'Query result location',
      'Query result encryption',
      'Athena database',
      ...TABLES.map((t) => `Table ${t}`),
      'Log bucket',
      'IAM permissions',
    ]);
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    const items = byItem(checks);
    expect(items['Athena workgroup']!.message).toBe(
      '"custos" is enabled; Athena engine version 3; stops queries that scan more than 10 MB ' +
        "(BytesScannedCutoffPerQuery 10,485,760 bytes); enforces its own settings over the client's",
    );
    expect(items['Query result location']!.message).toBe(
      's3://custos-athena-results/custos/, enforced by the workgroup',
    );
    expect(items['Table cloudtrail_logs']!.message).toBe('32 columns, partitioned by account, region, timestamp');
    expect(items['Table access_index']).toEqual({ item: 'Table access_index', ok: true, message: '17 columns, partitioned by day' });
    expect(replay.requests('athena:GetTableMetadata').map((r) => r.json)).toEqual(
      TABLES.map((TableName) => ({ CatalogName: 'AwsDataCatalog', DatabaseName: 'custos_audit', TableName })),
    );
    expect(replay.requests('s3:ListObjectsV2')[0]!.query).toMatchObject({ prefix: 'AWSLogs/', 'max-keys': '1' });
  });

  it('says when the workgroup does not exist', async () => {
    scriptHealthy();
    replay.reset();
    replay
      .on('athena:GetWorkGroup', athenaError(jsonFixture('athena/error-work-group-not-found.json')))
      .on('athena:GetDatabase', athenaOk(jsonFixture('athena/get-database.json')))
      .on('athena:GetTableMetadata', tableMetadataResponder)
      .on('s3:ListObjectsV2', s3Xml(fixture('s3/list-objects-v2-cloudtrail-day.xml')));
    const items = byItem(await engine({ workGroup: 'custos-missing', outputLocation: undefined }).checkConfig());
    expect(items['Athena workgroup']).toEqual({
      item: 'Athena workgroup',
      ok: false,
      message: '"custos-missing" does not exist in us-east-1 (CUSTOS_ATHENA_WORKGROUP)',
    });
    expect(items['Query result location']!.ok).toBe(false);
    expect(items['IAM permissions']!.ok).toBe(true);
  });

  it('names each missing IAM action when calls are denied', async () => {
    replay
      .on('athena:GetWorkGroup', athenaError(jsonFixture('athena/error-access-denied-get-work-group.json')))
      .on('athena:GetDatabase', athenaOk(jsonFixture('athena/get-database.json')))
      .on('athena:GetTableMetadata', (req) =>
        req.json.TableName === 'cloudtrail_logs'
          ? athenaError(jsonFixture('athena/error-access-denied-glue-get-table.json'))
          : tableMetadataResponder(req),
      )
      .on('s3:ListObjectsV2', s3Xml(fixture('s3/error-access-denied-list-bucket.xml'), 403));
    const checks = await engine({ outputLocation: undefined }).checkConfig();
    const items = byItem(checks);
    expect(items['Athena workgroup']!.message).toBe('"custos" cannot be read: the IAM permission athena:GetWorkGroup is missing');
    expect(items['Query result location']!.message).toMatch(/^unknown: set CUSTOS_ATHENA_OUTPUT_LOCATION, or allow athena:GetWorkGroup/);
    expect(items['Table cloudtrail_logs']!.message).toBe('cannot be read: the IAM permission glue:GetTable is missing');
    expect(items['Table s3_access_logs']!.ok).toBe(true);
    expect(items['Log bucket']!.message).toBe(
      's3://custos-logs cannot be listed: the IAM permission s3:ListBucket on custos-logs is missing',
    );
    expect(items['IAM permissions']).toEqual({
      item: 'IAM permissions',
      ok: false,
      message: 'missing: athena:GetWorkGroup, glue:GetTable, s3:ListBucket on custos-logs',
    });
  });

  it('tells a missing table from one that lacks columns', async () => {
    scriptHealthy();
    replay.reset();
    replay
      .on('athena:GetWorkGroup', athenaOk(jsonFixture('athena/get-work-group.json')))
      .on('athena:GetDatabase', athenaOk(jsonFixture('athena/get-database.json')))
      .on('athena:GetTableMetadata', (req) => {
        if (req.json.TableName === 'study_catalog') return athenaError(jsonFixture('athena/error-table-not-found.json'));
        const body = tableMetadata(String(req.json.TableName));
        if (req.json.TableName === 'cloudtrail_logs') {
          body.TableMetadata.Columns = body.TableMetadata.Columns.filter((c) => !['tlsdetails', 'eventcategory'].includes(c.Name));
        }
        return athenaOk(body);
      })
      .on('s3:ListObjectsV2', s3Xml(fixture('s3/list-objects-v2-cloudtrail-day.xml')));
    const items = byItem(await engine().checkConfig());
    expect(items['Table study_catalog']).toEqual({
      item: 'Table study_catalog',
      ok: false,
      message: 'does not exist in "custos_audit": create it from lib/lake/ddl/study_catalog.sql',
    });
    expect(items['Table cloudtrail_logs']!.message).toBe(
      'lacks the columns eventcategory, tlsdetails: recreate it from lib/lake/ddl/cloudtrail_logs.sql',
    );
    expect(items['Table s3_inventory']!.ok).toBe(true);
  });

  it('checks the access_index table the saved queries read, even before the index is filled', async () => {
    const script = (answer: (req: { json: Record<string, unknown> }) => ReturnType<typeof tableMetadataResponder>) =>
      replay
        .on('athena:GetWorkGroup', athenaOk(jsonFixture('athena/get-work-group.json')))
        .on('athena:GetDatabase', athenaOk(jsonFixture('athena/get-database.json')))
        .on('athena:GetTableMetadata', (req) => (req.json.TableName === 'access_index' ? answer(req) : tableMetadataResponder(req)))
        .on('s3:ListObjectsV2', s3Xml(fixture('s3/list-objects-v2-cloudtrail-day.xml')));

    script(() => athenaError(jsonFixture('athena/error-table-not-found.json')));
    let checks = await engine().checkConfig();
    expect(byItem(checks)['Table access_index']).toEqual({
      item: 'Table access_index',
      ok: false,
      message:
        'does not exist in "custos_audit": create it from lib/lake/ddl/access_index.sql (LOCATION: CUSTOS_ATHENA_INDEX_LOCATION)',
    });
    expect(checks.filter((c) => !c.ok).map((c) => c.item)).toEqual(['Table access_index']);
    expect(replay.requests('athena:GetTableMetadata').at(-1)!.json).toEqual({
      CatalogName: 'AwsDataCatalog',
      DatabaseName: 'custos_audit',
      TableName: 'access_index',
    });

    replay.reset();
    script(() => athenaOk(accessIndexTableMetadata()));
    checks = await engine().checkConfig();
    expect(byItem(checks)['Table access_index']).toEqual({ item: 'Table access_index', ok: true, message: '17 columns, partitioned by day' });
    expect(checks.filter((c) => !c.ok)).toEqual([]);

    replay.reset();
    script(() => {
      const body = accessIndexTableMetadata();
      body.TableMetadata.Columns = body.TableMetadata.Columns.filter((c) => c.Name !== 'study_prefix');
      return athenaOk(body);
    });
    expect(byItem(await engine().checkConfig())['Table access_index']).toEqual({
      item: 'Table access_index',
      ok: false,
      message: 'lacks the columns study_prefix: recreate it from lib/lake/ddl/access_index.sql (LOCATION: CUSTOS_ATHENA_INDEX_LOCATION)',
    });

    replay.reset();
    script(() => {
      const body = accessIndexTableMetadata();
      body.TableMetadata.PartitionKeys = [];
      return athenaOk(body);
    });
    expect(byItem(await engine().checkConfig())['Table access_index']!.message).toBe(
      'lacks the columns day: recreate it from lib/lake/ddl/access_index.sql (LOCATION: CUSTOS_ATHENA_INDEX_LOCATION)',
    );
  });

  it('reports a disabled workgroup, a missing cutoff and a managed-results conflict', async () => {
    scriptHealthy((body) => {
      body.WorkGroup.State = 'DISABLED';
    });
    expect(byItem(await engine().checkConfig())['Athena workgroup']!.message).toMatch(/"custos" is DISABLED: enable it/);

    replay.reset();
    scriptHealthy((body) => {
      delete body.WorkGroup.Configuration.BytesScannedCutoffPerQuery;
      delete body.WorkGroup.Configuration.ResultConfiguration;
      body.WorkGroup.Configuration.ManagedQueryResultsConfiguration = { Enabled: true };
    });
    const items = byItem(await engine().checkConfig());
    expect(items['Athena workgroup']).toMatchObject({ ok: true });
    expect(items['Athena workgroup']!.message).toMatch(/no per-query data limit \(BytesScannedCutoffPerQuery is not set\)/);
    expect(items['Query result location']).toMatchObject({ ok: false });
    expect(items['Query result location']!.message).toMatch(/managed storage .* unset CUSTOS_ATHENA_OUTPUT_LOCATION/);
  });

  it('requires KMS encryption of query results, enforced by the workgroup', async () => {
    scriptHealthy();
    expect(byItem(await engine().checkConfig())['Query result encryption']).toEqual({
      item: 'Query result encryption',
      ok: true,
      message: 'SSE_KMS with arn:aws:kms:us-east-1:210987654321:key/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d, enforced by the workgroup',
    });
    replay.reset();
    scriptHealthy((body) => {
      delete (body.WorkGroup.Configuration.ResultConfiguration as Record<string, unknown>).EncryptionConfiguration;
    });
    expect(byItem(await engine().checkConfig())['Query result encryption']).toMatchObject({ ok: false, message: expect.stringMatching(/^results are not encrypted: set .* SSE_KMS/) });
    replay.reset();
    scriptHealthy((body) => {
      (body.WorkGroup.Configuration.ResultConfiguration as Record<string, unknown>).EncryptionConfiguration = { EncryptionOption: 'SSE_S3' };
    });
    expect(byItem(await engine().checkConfig())['Query result encryption']!.message).toMatch(/^results are encrypted with SSE_S3/);
    replay.reset();
    scriptHealthy((body) => {
      body.WorkGroup.Configuration.EnforceWorkGroupConfiguration = false;
    });
    expect(byItem(await engine().checkConfig())['Query result encryption']).toMatchObject({ ok: false, message: expect.stringMatching(/does not enforce its settings/) });
  });

  it('flags a missing database, an empty or absent log bucket', async () => {
    replay
      .on('athena:GetWorkGroup', athenaOk(jsonFixture('athena/get-work-group.json')))
      .on('s3:ListObjectsV2', s3Xml(fixture('s3/error-no-such-bucket.xml'), 404));
    const items = byItem(await engine({ database: '' }).checkConfig());
    expect(items['Athena database']).toEqual({ item: 'Athena database', ok: false, message: 'CUSTOS_ATHENA_DATABASE is not set' });
    expect(items['Table cloudtrail_logs']).toMatchObject({ ok: false, message: 'not checked: no database' });
    expect(items['Table access_index']).toEqual({ item: 'Table access_index', ok: false, message: 'not checked: no database' });
    expect(replay.requests('athena:GetTableMetadata')).toHaveLength(0);
    expect(items['Log bucket']!.message).toBe('s3://custos-logs does not exist (CUSTOS_LOG_BUCKET)');

    replay.reset();
    scriptHealthy();
    replay.reset();
    replay
      .on('athena:GetWorkGroup', athenaOk(jsonFixture('athena/get-work-group.json')))
      .on('athena:GetDatabase', athenaOk(jsonFixture('athena/get-database.json')))
      .on('athena:GetTableMetadata', tableMetadataResponder)
      .on('s3:ListObjectsV2', s3Xml(fixture('s3/list-objects-v2-empty.xml')));
    expect(byItem(await engine().checkConfig())['Log bucket']!.message).toMatch(/^no CloudTrail objects under s3:\/\/custos-logs\/AWSLogs\//);

    replay.reset();
    replay
      .on('athena:GetWorkGroup', athenaOk(jsonFixture('athena/get-work-group.json')))
      .on('athena:GetDatabase', athenaError(jsonFixture('athena/error-table-not-found.json')))
      .on('s3:ListObjectsV2', s3Xml(fixture('s3/list-objects-v2-cloudtrail-day.xml')));
    const unread = await engine().checkConfig();
    expect(byItem(unread)['Athena database']!.message).toBe('"custos_audit" does not exist in catalog AwsDataCatalog (CUSTOS_ATHENA_DATABASE)');
    expect(unread.filter((c) => c.item.startsWith('Table ')).map((c) => [c.item, c.message])).toEqual(
      TABLES.map((t) => [`Table ${t}`, 'not checked: the database is not readable']),
    );
  });

  it('stops at the Region when it is missing or malformed, before calling AWS', async () => {
    expect(await engine({ region: '' }).checkConfig()).toEqual([{ item: 'AWS Region', ok: false, message: 'AWS_REGION is not set' }]);
    expect((await engine({ region: 'us east' }).checkConfig())[0]!.message).toBe('"us east" is not an AWS Region name (AWS_REGION)');
    expect(replay.received).toHaveLength(0);
  });

  it('reports rejected credentials as one item', async () => {
    replay
      .on('athena:GetWorkGroup', athenaError(jsonFixture('athena/error-unrecognized-client.json')))
      .on('athena:GetDatabase', athenaError(jsonFixture('athena/error-unrecognized-client.json')))
      .on('athena:GetTableMetadata', athenaError(jsonFixture('athena/error-unrecognized-client.json')))
      .on('s3:ListObjectsV2', s3Xml(fixture('s3/list-objects-v2-cloudtrail-day.xml')));
    const checks = await engine().checkConfig();
    expect(checks).toEqual([
      { item: 'AWS Region', ok: true, message: 'us-east-1' },
      {
        item: 'AWS credentials',
        ok: false,
        message: 'AWS rejected or could not find credentials (UnrecognizedClientException: The security token included in the request is invalid.)',
      },
    ]);
  });
});
