// Real public AWS samples (../shared/fixtures/real, see its README) loaded through the lake views
// exactly as the embedded engine reads a production lake: every CloudTrail record, every access
// log line and every inventory row must arrive, each field in its column.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installTrinoMacros } from '@/lib/engine/duckdb/macros';
import { createLakeViews } from '@/lib/engine/duckdb/views';
import { checkLake } from '@/lib/lake/check';
import { tableDefinition } from '@/lib/lake/schema';
import { parseInventoryManifest } from '@/lib/lake/sources/inventory';
import { putAccessLog, putCloudTrail, putInventoryReport, REAL_FIXTURES, tempLake } from './helpers/lake-builder';

const present = fs.existsSync(REAL_FIXTURES);
const counts = { cloudtrailRecords: 0, accessLogLines: 0, inventoryRows: 0 };

type Json = Record<string, unknown>;
const readJson = (rel: string) => JSON.parse(fs.readFileSync(path.join(REAL_FIXTURES, rel), 'utf8')) as unknown;
const ndjson = (rel: string) =>
  fs
    .readFileSync(path.join(REAL_FIXTURES, rel), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Json);

/** Samples that are not CloudTrail log records, and why. */
const NOT_CLOUDTRAIL_RECORDS: Record<string, string> = {
  'cloudtrail/otrf_ec2_proxy_s3_exfiltration_2020-09-14011940.ndjson': 'Logstash-flattened re-export (no eventTime, @timestamp instead), not a CloudTrail file',
  'cloudtrail/otrf_AWS_S3_HoneyBucketLogs.csv': 'CSV re-export with Python-repr fields, not a CloudTrail file',
  'cloudtrail/elastic-integrations_pipeline-tests/test-cloudtrail-digest-json.log': 'a CloudTrail digest file, not a log record',
  'cloudtrail/awsdocs_healthimaging_GetDICOMImportJob_RAW_as_published.txt':
    'the published text is not valid JSON; the repaired record is in awsdocs_healthimaging_cloudtrail_examples.json',
};

/** Every CloudTrail record of every sample, by sample file. */
function cloudTrailSamples(): { file: string; records: unknown[] }[] {
  const root = path.join(REAL_FIXTURES, 'cloudtrail');
  const files = (fs.readdirSync(root, { recursive: true }) as string[])
    .map((f) => `cloudtrail/${f.split(path.sep).join('/')}`)
    .filter((f) => fs.statSync(path.join(REAL_FIXTURES, f)).isFile())
    .sort();
  const out: { file: string; records: unknown[] }[] = [];
  for (const file of files) {
    if (NOT_CLOUDTRAIL_RECORDS[file]) continue;
    const name = path.posix.basename(file);
    let records: unknown[];
    if (file.startsWith('cloudtrail/stratus-red-team_detonation-logs/')) records = readJson(file) as unknown[];
    else if (name === 'awsdocs_all_examples.Records.json' || name === 'awsdocs_healthimaging_cloudtrail_examples.json') records = (readJson(file) as { Records: unknown[] }).Records;
    else if (name.startsWith('awsdocs_cloudtrail_examples_')) records = (readJson(file) as { examples: { event: unknown }[] }).examples.map((e) => e.event);
    else if (name === 'panther-analysis_cloudtrail_test_events.json') records = (readJson(file) as { tests: { event: unknown }[] }).tests.map((t) => t.event);
    else if (name === 'awscli_lookup-events_example.json') records = (readJson(file) as { Events: { CloudTrailEvent: string }[] }).Events.map((e) => JSON.parse(e.CloudTrailEvent));
    else if (name.endsWith('lookup-events.jsonl')) records = ndjson(file).map((e) => JSON.parse(e.CloudTrailEvent as string));
    else if (file.endsWith('.log') && file.startsWith('cloudtrail/elastic-')) records = ndjson(file);
    else if (name === 'README.md' || name === 'LICENSE') continue;
    else throw new Error(`unclassified CloudTrail sample ${file}: add it to the loader or to NOT_CLOUDTRAIL_RECORDS`);
    out.push({ file, records });
  }
  return out;
}

/** Case-insensitive member lookup, last duplicate wins (JSON SerDe). */
function ci(value: unknown, ...keys: string[]): unknown {
  let current = value;
  for (const key of keys) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    const match = Object.keys(current).filter((k) => k.toLowerCase() === key.toLowerCase()).at(-1);
    current = match === undefined ? undefined : (current as Json)[match];
  }
  return current;
}

const asText = (v: unknown): string | null =>
  v === undefined || v === null ? null : typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
/** A JSON-text column compared by JSON equality when it holds compact JSON, else as text. */
function jsonOrText(text: string | null): unknown {
  if (text === null) return null;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && JSON.stringify(parsed) === text) return { json: parsed };
  } catch {
    // not JSON: compared as text
  }
  return { text };
}

const SCALARS = [
  'eventVersion', 'eventTime', 'eventSource', 'eventName', 'awsRegion', 'sourceIPAddress', 'userAgent', 'errorCode',
  'errorMessage', 'requestID', 'eventID', 'readOnly', 'eventType', 'apiVersion', 'recipientAccountId', 'sharedEventID',
  'vpcEndpointId', 'vpcEndpointAccountId', 'eventCategory', 'sessionCredentialFromConsole',
];
const JSON_TEXT = ['requestParameters', 'responseElements', 'additionalEventData', 'serviceEventDetails', 'edgeDeviceDetails'];
const IDENTITY = ['type', 'principalId', 'arn', 'accountId', 'invokedBy', 'accessKeyId', 'userName'];

/** What each record must look like in the view, computed from the source record alone. */
function expectedFields(record: unknown): Json {
  const out: Json = {};
  for (const k of SCALARS) out[k.toLowerCase()] = asText(ci(record, k));
  for (const k of JSON_TEXT) out[k.toLowerCase()] = jsonOrText(asText(ci(record, k)));
  for (const k of IDENTITY) out[`useridentity.${k.toLowerCase()}`] = asText(ci(record, 'userIdentity', k));
  out['sessionissuer.arn'] = asText(ci(record, 'userIdentity', 'sessionContext', 'sessionIssuer', 'arn'));
  out['sessionissuer.username'] = asText(ci(record, 'userIdentity', 'sessionContext', 'sessionIssuer', 'userName'));
  out.mfaauthenticated = asText(ci(record, 'userIdentity', 'sessionContext', 'attributes', 'mfaAuthenticated'));
  const resources = ci(record, 'resources');
  out['resources.arn'] = Array.isArray(resources) ? resources.map((r) => asText(ci(r, 'ARN'))) : null;
  out['resources.accountid'] = Array.isArray(resources) ? resources.map((r) => asText(ci(r, 'accountId'))) : null;
  out['tlsdetails.clientprovidedhostheader'] = asText(ci(record, 'tlsDetails', 'clientProvidedHostHeader'));
  out['tlsdetails.tlsversion'] = asText(ci(record, 'tlsDetails', 'tlsVersion'));
  out['addendum.reason'] = asText(ci(record, 'addendum', 'reason'));
  return out;
}

/** The same fields read back from a view row. */
function actualFields(row: Json): Json {
  const out: Json = {};
  for (const k of SCALARS) out[k.toLowerCase()] = row[k.toLowerCase()];
  for (const k of JSON_TEXT) out[k.toLowerCase()] = jsonOrText(row[k.toLowerCase()] as string | null);
  const identity = row.useridentity as Json | null;
  for (const k of IDENTITY) out[`useridentity.${k.toLowerCase()}`] = identity?.[k.toLowerCase()] ?? null;
  const session = (identity?.sessioncontext ?? null) as Json | null;
  out['sessionissuer.arn'] = (session?.sessionissuer as Json | null)?.arn ?? null;
  out['sessionissuer.username'] = (session?.sessionissuer as Json | null)?.username ?? null;
  out.mfaauthenticated = (session?.attributes as Json | null)?.mfaauthenticated ?? null;
  const resources = row.resources as Json[] | null;
  out['resources.arn'] = resources ? resources.map((r) => r?.arn ?? null) : null;
  out['resources.accountid'] = resources ? resources.map((r) => r?.accountid ?? null) : null;
  out['tlsdetails.clientprovidedhostheader'] = (row.tlsdetails as Json | null)?.clientprovidedhostheader ?? null;
  out['tlsdetails.tlsversion'] = (row.tlsdetails as Json | null)?.tlsversion ?? null;
  out['addendum.reason'] = (row.addendum as Json | null)?.reason ?? null;
  return out;
}

const stable = (v: unknown): string =>
  Array.isArray(v)
    ? `[${v.map(stable).join(',')}]`
    : typeof v === 'object' && v !== null
      ? `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${stable((v as Json)[k])}`).join(',')}}`
      : JSON.stringify(v);

async function open(): Promise<{ conn: DuckDBConnection; close(): void }> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  await installTrinoMacros(conn);
  return { conn, close: () => (conn.closeSync(), instance.closeSync()) };
}

describe.skipIf(!present)(`real AWS samples (skipped: ${REAL_FIXTURES} is absent)`, () => {
  let lake: ReturnType<typeof tempLake>;
  let db: Awaited<ReturnType<typeof open>>;
  beforeAll(async () => {
    lake = tempLake();
    db = await open();
  });
  afterAll(() => {
    db.close();
    lake.cleanup();
    const out = path.resolve(process.cwd(), 'test-results/real-fixtures.json');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    const others = fs.existsSync(out)
      ? fs.readFileSync(out, 'utf8').split('\n').filter((l) => l.trim() !== '' && (JSON.parse(l) as { suite?: string }).suite !== 'lake')
      : [];
    fs.writeFileSync(out, [...others, JSON.stringify({ suite: 'lake', ...counts })].join('\n') + '\n');
  });

  it('loads every CloudTrail record of every sample with each field in its column', async () => {
    const samples = cloudTrailSamples();
    const records = samples.flatMap((s) => s.records);
    expect(samples.length).toBeGreaterThan(40);
    samples.forEach((s, i) => {
      const minute = String(i % 60).padStart(2, '0');
      putCloudTrail(lake, { at: `2025-03-04T${String(10 + Math.floor(i / 60)).padStart(2, '0')}:${minute}:00Z` }, s.records);
    });
    const stats = await createLakeViews(db.conn, lake, ['cloudtrail_logs'], { from: '2025-03-04', to: '2025-03-04' });
    expect(stats.files).toBe(samples.length);
    const rows = (await db.conn.runAndReadAll('SELECT * FROM cloudtrail_logs')).getRowObjectsJson() as Json[];
    expect(rows).toHaveLength(records.length);
    const expected = records.map((r) => stable(expectedFields(r))).sort();
    const actual = rows.map((r) => stable(actualFields(r))).sort();
    expect(actual).toEqual(expected);
    expect(new Set(rows.map((r) => r.timestamp))).toEqual(new Set(['2025/03/04']));
    counts.cloudtrailRecords = rows.length;

    const byId = (id: string) => rows.find((r) => r.eventid === id)!;
    const healthImaging = rows.filter((r) => r.eventsource === 'medical-imaging.amazonaws.com');
    expect(healthImaging.map((r) => r.eventname)).toContain('GetDICOMImportJob');
    const noType = rows.filter((r) => (r.useridentity as Json | null) && (r.useridentity as Json).type === null && (r.useridentity as Json).invokedby === 'AWS Internal');
    expect(noType.length).toBeGreaterThanOrEqual(11);
    const lowerAccountId = rows.find((r) => ((r.resources as Json[] | null) ?? []).some((x) => x.accountid !== null && String(x.arn).startsWith('arn:aws:iam::')));
    expect(lowerAccountId).toBeDefined();
    const tls = rows.find((r) => (r.tlsdetails as Json | null)?.clientprovidedhostheader);
    expect(byId(tls!.eventid as string).tlsdetails).toMatchObject({ tlsversion: expect.stringMatching(/^TLSv1\.[23]$/) });
    const q = (await db.conn.runAndReadAll(
      `SELECT count(*) AS n FROM cloudtrail_logs WHERE json_extract_scalar(requestparameters, '$.bucketName') IS NOT NULL AND eventsource = 's3.amazonaws.com'`,
    )).getRowObjectsJson();
    expect(Number(q[0]!.n)).toBeGreaterThan(0);
  });

  it('parses every access-log line into the 27 columns, as a token-by-token reading of the line says', async () => {
    const dir = path.join(REAL_FIXTURES, 's3_access_logs');
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.log')).sort();
    const lines: string[] = [];
    const keys: Record<string, string> = {};
    for (const f of files) {
      const text = fs.readFileSync(path.join(dir, f), 'utf8');
      keys[f] = putAccessLog(lake, { day: '2025-03-05' }, text);
      lines.push(...text.split('\n').filter((l) => l !== ''));
    }
    await createLakeViews(db.conn, lake, ['s3_access_logs'], { from: '2025-03-05', to: '2025-03-05' });
    const rows = (await db.conn.runAndReadAll('SELECT * FROM s3_access_logs')).getRowObjectsJson() as Json[];
    const report = await checkLake(lake);
    // The beats REST.OPTIONS.FAKE line is malformed on purpose, but it matches the AWS regex, so
    // Athena loads it and so do we; no real line is rejected.
    expect(report.sources.s3_access_logs.rejected).toEqual([]);
    expect(rows).toHaveLength(lines.length);
    counts.accessLogLines = rows.length;

    const columns = tableDefinition('s3_access_logs').columns;
    const expectRow = (line: string): Json => {
      const tokens = line.match(/\[[^\]]*\]|"[^"]*"|[^ ]+/g)!;
      const row: Json = {};
      columns.forEach((c, i) => {
        const token = i < 18 || tokens.length >= 27 ? (tokens[i] ?? null) : null;
        const value = i === 2 && token ? token.slice(1, -1) : token;
        row[c.name] = c.type.kind === 'primitive' && c.type.name === 'bigint' ? (value === null || value === '-' ? null : value) : value;
      });
      return row;
    };
    const expected = lines.map((l) => stable(expectRow(l))).sort();
    const actual = rows.map((r) => stable(Object.fromEntries(columns.map((c) => [c.name, r[c.name]])))).sort();
    expect(actual).toEqual(expected);

    const fake = rows.find((r) => r.operation === 'REST.OPTIONS.FAKE')!;
    expect(fake).toMatchObject({ request_uri: '"OPTIONS * HTTP/1.0"', requestdatetime: '09/Feb/2021:14:48:42 +0200', bucket_name: 'faketest' });
    const at = (await db.conn.runAndReadAll(`SELECT to_iso8601(parse_datetime(requestdatetime, 'dd/MMM/yyyy:HH:mm:ss Z')) AS t FROM s3_access_logs WHERE operation = 'REST.OPTIONS.FAKE'`)).getRows();
    expect(at).toEqual([['2021-02-09T12:48:42.000Z']]);
    // A 2019 line ends at the TLS version: the DDL's nine trailing fields form one optional group,
    // so all of them stay NULL (that line's hostid and SigV4 included), as on Athena.
    const screenshot = rows.find((r) => String(r.key).startsWith('Screen+Shot'))!;
    expect(screenshot).toMatchObject({ operation: 'BATCH.DELETE.OBJECT', httpstatus: '204', objectsize: '57138', versionid: '-', hostid: null, sigv: null });
    const lifecycle = rows.find((r) => r.operation === 'S3.EXPIRE.OBJECT')!;
    expect(lifecycle).toMatchObject({ requester: 'AmazonS3', remoteip: '-', request_uri: '"-"', objectsize: '317', hostid: null });
    const noStatus = rows.filter((r) => r.httpstatus === '-' && r.operation === 'REST.PUT.OBJECT');
    expect(noStatus).toHaveLength(1);
    expect(noStatus[0]).toMatchObject({ requester: 'svc:delivery.logs.amazonaws.com', objectsize: '773', tlsversion: null, accesspointarn: null });
    // No sample line carries all 27 fields (they stop at 24 to 26), so with AWS's DDL regex every
    // one of them has its nine trailing columns NULL; the 27-field format is covered by the unit tests.
    expect(rows.filter((r) => r.hostid !== null || r.sourceregion !== null)).toEqual([]);
  });

  it('maps the fields of complete Panther-parsed access records to the same columns', async () => {
    // None of the Panther records is one of the raw sample lines (their request IDs differ), so
    // each complete record is written back as a line in AWS field order and read again.
    const panther = readJson('s3_access_logs/panther-analysis_s3serveraccess_test_events_parsed.json') as { tests: { event: Json }[] };
    const raw = fs.readdirSync(path.join(REAL_FIXTURES, 's3_access_logs')).filter((f) => f.endsWith('.log')).map((f) => fs.readFileSync(path.join(REAL_FIXTURES, 's3_access_logs', f), 'utf8')).join('\n');
    expect(panther.tests.filter((t) => t.event.requestid && raw.includes(String(t.event.requestid)))).toEqual([]);
    const complete = panther.tests.map((t) => t.event).filter((e) => e.bucketowner && e.time && e.requestid && e.operation && e.hostid);
    expect(complete.length).toBeGreaterThanOrEqual(5);
    const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    const f = (v: unknown) => (v === undefined || v === null || v === '' ? '-' : String(v));
    const q = (v: unknown) => (v === undefined || v === null ? '"-"' : `"${String(v)}"`);
    const lines = complete.map((e) => {
      const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}:\d{2}:\d{2})/.exec(String(e.time))!;
      const time = `[${m[3]}/${months[Number(m[2]) - 1]}/${m[1]}:${m[4]} +0000]`;
      return [
        f(e.bucketowner), f(e.bucket), time, f(e.remoteip), f(e.requester), f(e.requestid), f(e.operation), f(e.key),
        q(e.requesturi), f(e.httpstatus), f(e.errorcode), f(e.bytessent), f(e.objectsize), f(e.totaltime), f(e.turnaroundtime),
        q(e.referrer), q(e.useragent), f(e.versionid), f(e.hostid), f(e.signatureversion), f(e.ciphersuite), f(e.authenticationtype),
        f(e.hostheader), f(e.tlsVersion ?? e.tlsversion), '-', '-', '-',
      ].join(' ');
    });
    const key = putAccessLog(lake, { day: '2025-03-07' }, `${lines.join('\n')}\n`);
    await createLakeViews(db.conn, lake, ['s3_access_logs'], { from: '2025-03-07', to: '2025-03-07' });
    const rows = (await db.conn.runAndReadAll(`SELECT * FROM s3_access_logs WHERE "timestamp" = '2025/03/07'`)).getRowObjectsJson() as Json[];
    expect(rows).toHaveLength(complete.length);
    expect(key).toContain('/2025/03/07/');
    const pick = (r: Json) => stable(Object.fromEntries(Object.keys(expectedOf(complete[0]!)).map((k) => [k, r[k]])));
    expect(rows.map(pick).sort()).toEqual(complete.map((e) => stable(expectedOf(e))).sort());
    function expectedOf(e: Json): Json {
      return {
        bucketowner: e.bucketowner,
        bucket_name: e.bucket,
        remoteip: f(e.remoteip),
        httpstatus: f(e.httpstatus),
        errorcode: f(e.errorcode),
        bytessent: e.bytessent === undefined ? null : String(e.bytessent),
        objectsize: e.objectsize === undefined ? null : String(e.objectsize),
        request_uri: q(e.requesturi),
        useragent: q(e.useragent),
        hostid: e.hostid,
        sigv: f(e.signatureversion),
        authtype: f(e.authenticationtype),
        endpoint: f(e.hostheader),
        tlsversion: f(e.tlsVersion ?? e.tlsversion),
      };
    }
  });

  it('loads the real inventory reports (CSV with and without versions, Parquet) and reports ORC as unsupported', async () => {
    const dir = path.join(REAL_FIXTURES, 's3_inventory/orcabus_filemanager');
    const reports = [
      { manifest: 'csv_inventory_manifest.json', at: '2024-05-07T01:00:00Z' },
      { manifest: 'csv_inventory_no_version_manifest.json', at: '2024-05-07T02:00:00Z' },
      { manifest: 'parquet_inventory_manifest.json', at: '2024-05-07T03:00:00Z' },
      { manifest: 'orc_inventory_manifest.json', at: '2024-05-07T04:00:00Z' },
    ];
    const dts: Record<string, string> = {};
    let orcKey = '';
    for (const r of reports) {
      const manifest = parseInventoryManifest(fs.readFileSync(path.join(dir, r.manifest), 'utf8'));
      const placed = putInventoryReport(lake, {
        at: r.at,
        format: manifest.fileFormat,
        fileSchema: manifest.fileSchema,
        sourceBucket: manifest.sourceBucket,
        files: manifest.files.map((file) => ({ name: file.key, body: fs.readFileSync(path.join(dir, file.key)), ...(file.MD5checksum ? { md5: file.MD5checksum } : {}) })),
      });
      dts[r.manifest] = placed.dt;
      if (manifest.fileFormat === 'ORC') orcKey = placed.dataKeys[0]!;
    }
    const stats = await createLakeViews(db.conn, lake, ['s3_inventory'], null);
    expect(stats.files).toBe(3);
    const rows = async (dt: string) =>
      (await db.conn.runAndReadAll(`SELECT * EXCLUDE (dt) FROM s3_inventory WHERE dt = '${dt}' ORDER BY key, version_id NULLS FIRST, last_modified_date`)).getRowObjectsJson();
    const csvLines = (file: string) => zlib.gunzipSync(fs.readFileSync(path.join(dir, file))).toString('utf8').split('\n').filter((l) => l !== '').length;
    const parquetCount = Number((await db.conn.runAndReadAll(`SELECT count(*) FROM read_parquet('${path.join(dir, 'parquet_inventory.parquet')}')`)).getRows()[0]![0]);

    const csv = await rows(dts['csv_inventory_manifest.json']!);
    const noVersion = await rows(dts['csv_inventory_no_version_manifest.json']!);
    const parquet = await rows(dts['parquet_inventory_manifest.json']!);
    expect(csv).toHaveLength(csvLines('csv_inventory.csv.gz'));
    expect(noVersion).toHaveLength(csvLines('csv_inventory_no_version.csv.gz'));
    expect(parquet).toHaveLength(parquetCount);
    // The CSV and Parquet reports list the same objects: the two readers must agree field by field.
    expect(csv).toEqual(parquet);
    expect(csv.find((r) => r.is_delete_marker === true)).toMatchObject({ key: 'inventory-test/key2', size: null, e_tag: null, storage_class: null });
    expect(noVersion.map((r) => [r.key, r.version_id, r.is_latest, r.size])).toEqual([
      ['inventory-test/', null, null, '0'],
      ['inventory-test/key1', null, null, '5'],
    ]);
    counts.inventoryRows = csv.length + noVersion.length + parquet.length;

    const report = await checkLake(lake);
    expect(report.sources.s3_inventory.records).toBe(counts.inventoryRows);
    expect(report.sources.s3_inventory.rejected).toEqual([{ file: orcKey, line: 0, reason: expect.stringMatching(/ORC inventory reports cannot be read/) }]);

    const examples = (readJson('s3_inventory/awsdocs_inventory_manifest_examples.json') as { examples: { manifest: unknown }[] }).examples;
    expect(examples.map((e) => parseInventoryManifest(JSON.stringify(e.manifest)).fileFormat)).toEqual(['CSV', 'ORC', 'Parquet']);
  });
});
