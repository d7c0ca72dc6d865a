import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { tableDefinition } from '@/lib/lake/schema';
import { normalizeCloudTrailRecord, parseCloudTrailText, readCloudTrailLog } from '@/lib/lake/sources/cloudtrail';
import { MAX_RECORD_BYTES, type SourceBatch } from '@/lib/lake/sources/types';
import { putCloudTrail, tempLake } from './helpers/lake-builder';

async function collect(gen: AsyncGenerator<SourceBatch>) {
  const rows = [];
  const rejected = [];
  for await (const b of gen) {
    rows.push(...b.rows);
    rejected.push(...b.rejected);
  }
  return { rows, rejected };
}

describe('CloudTrail record normalization (JSON SerDe rules)', () => {
  const record = {
    eventVersion: '1.09',
    userIdentity: {
      type: 'AssumedRole',
      principalId: 'AROAEXAMPLE:jdoe',
      arn: 'arn:aws:sts::111122223333:assumed-role/Viewer/jdoe',
      accountId: '111122223333',
      sessionContext: {
        sessionIssuer: { type: 'Role', userName: 'Viewer', arn: 'arn:aws:iam::111122223333:role/Viewer' },
        webIdFederationData: { federatedProvider: 'accounts.example.com', attributes: { 'accounts.example.com:aud': 'x', n: 3 } },
        attributes: { creationDate: '2024-02-02T19:23:50Z', mfaAuthenticated: 'false' },
        sourceIdentity: 'jdoe',
      },
    },
    EventTime: '2025-03-04T15:22:09Z',
    eventSource: 's3.amazonaws.com',
    eventName: 'GetObject',
    requestParameters: { bucketName: 'phi-dicom-archive', Host: 'h', key: 'studies/1.dcm', 'x-id': ['a', 1] },
    responseElements: null,
    additionalEventData: { bytesTransferredOut: 524288, 'x-amz-id-2': 'abc=' },
    readOnly: true,
    resources: [
      { type: 'AWS::S3::Object', ARN: 'arn:aws:s3:::phi-dicom-archive/studies/1.dcm' },
      { accountid: '111122223333', type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::phi-dicom-archive' },
    ],
    managementEvent: false,
    tlsDetails: { tlsVersion: 'TLSv1.3', clientProvidedHostHeader: 'h.example', keyExchange: 'x25519' },
    sessionCredentialFromConsole: 'true',
    apiVersion: 20060301,
    addendum: { reason: 'DELIVERY_DELAY', updatedFields: { f: 1 } },
    vpcEndpointId: '',
  };
  const row = normalizeCloudTrailRecord(record);
  /** A column's value, NULL when the row leaves it out. */
  const col = (value: unknown, ...names: string[]) => names.reduce<unknown>((v, n) => (v as Record<string, unknown> | null)?.[n] ?? null, value);

  it('matches keys case-insensitively at every level and keeps the DDL column order', () => {
    expect(Object.keys(row)[0]).toBe('eventversion');
    expect(row.eventtime).toBe('2025-03-04T15:22:09Z');
    const identity = row.useridentity as Record<string, Record<string, Record<string, unknown>> & Record<string, unknown>>;
    expect(identity.type).toBe('AssumedRole');
    expect(identity.sessioncontext!.sessionissuer!.username).toBe('Viewer');
    expect(col(row, 'useridentity', 'sessioncontext', 'sessionissuer', 'principalid')).toBeNull();
    expect(identity.sessioncontext!.attributes!.mfaauthenticated).toBe('false');
    const resources = row.resources as Record<string, unknown>[];
    expect(resources.map((r) => r.arn)).toEqual(['arn:aws:s3:::phi-dicom-archive/studies/1.dcm', 'arn:aws:s3:::phi-dicom-archive']);
    expect(resources.map((r) => col(r, 'accountid'))).toEqual([null, '111122223333']);
  });

  it('keeps objects in STRING columns as compact JSON text and JSON null as NULL', () => {
    expect(row.requestparameters).toBe('{"bucketName":"phi-dicom-archive","Host":"h","key":"studies/1.dcm","x-id":["a",1]}');
    expect(col(row, 'responseelements')).toBeNull();
    expect(row.additionaleventdata).toBe('{"bytesTransferredOut":524288,"x-amz-id-2":"abc="}');
    expect((row.addendum as Record<string, unknown>).updatedfields).toBe('{"f":1}');
  });

  it('turns booleans and numbers in STRING columns into their text and keeps empty strings', () => {
    expect(row.readonly).toBe('true');
    expect(row.apiversion).toBe('20060301');
    expect(row.vpcendpointid).toBe('');
    expect(row.sessioncredentialfromconsole).toBe('true');
  });

  it('drops keys the DDL does not declare and leaves missing ones out (NULL)', () => {
    expect(row).not.toHaveProperty('managementevent');
    expect(row.tlsdetails).toEqual({ tlsversion: 'TLSv1.3', clientprovidedhostheader: 'h.example' });
    expect(col(row, 'errorcode')).toBeNull();
    expect(col(row, 'useridentity', 'invokedby')).toBeNull();
    const columns = tableDefinition('cloudtrail_logs').columns.map((c) => c.name);
    expect(Object.keys(row)).toEqual(columns.filter((c) => c in row));
    expect(Object.keys(row)).toEqual(expect.arrayContaining(['eventversion', 'useridentity', 'eventtime', 'resources', 'tlsdetails']));
  });

  it('builds MAP<string,string> columns from objects, values as text', () => {
    const identity = row.useridentity as { sessioncontext: { webidfederationdata: { attributes: unknown } } };
    expect(identity.sessioncontext.webidfederationdata.attributes).toEqual({ 'accounts.example.com:aud': 'x', n: '3' });
  });

  it('accepts a userIdentity without type, and makes a struct given a non-object NULL', () => {
    const r = normalizeCloudTrailRecord({ userIdentity: { accountId: '1', invokedBy: 'AWS Internal' }, tlsDetails: 'TLSv1.2' });
    expect(col(r, 'useridentity', 'type')).toBeNull();
    expect(col(r, 'useridentity', 'invokedby')).toBe('AWS Internal');
    expect(r).not.toHaveProperty('tlsdetails');
  });
});

describe('CloudTrail log files', () => {
  const lake = tempLake();
  afterAll(() => lake.cleanup());

  it('yields one row per record with the partition values of the key', async () => {
    const key = putCloudTrail(lake, { at: '2025-03-04T10:05:00Z', account: '444455556666', region: 'eu-west-1' }, [{ eventName: 'A' }, { eventName: 'B' }]);
    const { rows, rejected } = await collect(
      readCloudTrailLog({ absPath: path.join(lake.dir, key), file: key, partition: { account: '444455556666', region: 'eu-west-1', timestamp: '2025/03/04' } }),
    );
    expect(rejected).toEqual([]);
    expect(rows.map((r) => [r.eventname, r.account, r.region, r.timestamp])).toEqual([
      ['A', '444455556666', 'eu-west-1', '2025/03/04'],
      ['B', '444455556666', 'eu-west-1', '2025/03/04'],
    ]);
  });

  it('rejects a truncated gzip file whole (line 0)', async () => {
    const full = zlib.gzipSync(JSON.stringify({ Records: [{ eventName: 'A' }] }));
    const key = putCloudTrail(lake, { at: '2025-03-04T10:10:00Z' }, { rawBody: full.subarray(0, full.length - 12) });
    const { rows, rejected } = await collect(readCloudTrailLog({ absPath: path.join(lake.dir, key), file: key, partition: {} }));
    expect(rows).toEqual([]);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ file: key, line: 0 });
    expect(rejected[0]!.reason).toMatch(/gzip/);
  });

  it('rejects malformed JSON whole without quoting the file content', async () => {
    const key = putCloudTrail(lake, { at: '2025-03-04T10:15:00Z' }, { rawBody: zlib.gzipSync('{"Records":[{"eventName":"SECRET-MRN-123"},') });
    const { rows, rejected } = await collect(readCloudTrailLog({ absPath: path.join(lake.dir, key), file: key, partition: {} }));
    expect(rows).toEqual([]);
    expect(rejected).toEqual([{ file: key, line: 0, reason: expect.stringMatching(/^malformed JSON/) }]);
    expect(rejected[0]!.reason).not.toContain('SECRET');
  });

  it('rejects a record that is not an object with its 1-based index and keeps the others', () => {
    const batch = parseCloudTrailText(JSON.stringify({ Records: [{ eventName: 'A' }, 'oops', [1], { eventName: 'D' }] }), 'f.json.gz', {});
    expect(batch.rows.map((r) => r.eventname)).toEqual(['A', 'D']);
    expect(batch.rejected).toEqual([
      { file: 'f.json.gz', line: 2, reason: 'record is not a JSON object' },
      { file: 'f.json.gz', line: 3, reason: 'record is not a JSON object' },
    ]);
  });

  it('refuses a record larger than a CloudTrail record may be, with its index, and keeps the others', () => {
    const big = { eventName: 'Big', requestParameters: { note: 'x'.repeat(MAX_RECORD_BYTES) } };
    const text = JSON.stringify({ Records: [{ eventName: 'A' }, big, { eventName: 'C' }] });
    const batch = parseCloudTrailText(text, 'f.json.gz', {});
    expect(batch.rows.map((r) => r.eventname)).toEqual(['A', 'C']);
    const bytes = Buffer.byteLength(JSON.stringify(big));
    expect(batch.rejected).toEqual([
      { file: 'f.json.gz', line: 2, reason: `record of ${(bytes / 2 ** 20).toFixed(1)} MiB is larger than the 4 MiB a CloudTrail record may be` },
    ]);
    // Just under the limit, the same record is a row.
    const fits = { eventName: 'Fits', requestParameters: { note: 'x'.repeat(MAX_RECORD_BYTES - 100) } };
    expect(parseCloudTrailText(JSON.stringify({ Records: [fits] }), 'f', {}).rows).toHaveLength(1);
  });

  it('rejects a JSON document without a Records array', () => {
    expect(parseCloudTrailText('[{"eventName":"A"}]', 'f', {}).rejected).toEqual([
      { file: 'f', line: 0, reason: 'not a CloudTrail log file: no "Records" array' },
    ]);
    expect(parseCloudTrailText('{"Records":[]}', 'f', {})).toMatchObject({ rows: [], rejected: [] });
  });
});
