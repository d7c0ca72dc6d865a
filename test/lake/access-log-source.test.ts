import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { accessLogRegex, parseAccessLogLine, readAccessLog, unescapeHiveString } from '@/lib/lake/sources/access-log';
import { MAX_SOURCE_LINE_CHARS, type SourceBatch } from '@/lib/lake/sources/types';
import { tableDefinition } from '@/lib/lake/schema';
import { putAccessLog, tempLake } from './helpers/lake-builder';

// The effective regex AWS documents for its DDL (aws-formats.md §5.3), after Hive unescaping.
const DOCUMENTED_REGEX =
  '([^ ]*) ([^ ]*) \\[(.*?)\\] ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ("[^"]*"|-) (-|[0-9]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ("[^"]*"|-) ([^ ]*)(?: ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*))?.*$';

const CURRENT =
  '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be amzn-s3-demo-bucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be 3E57427F3EXAMPLE REST.GET.VERSIONING - "GET /amzn-s3-demo-bucket1?versioning HTTP/1.1" 200 - 113 - 7 - "-" "S3Console/0.4" - s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader amzn-s3-demo-bucket1.s3.us-west-1.amazonaws.com TLSV1.2 arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP Yes us-east-1';
const OLDER =
  '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be awsexamplebucket1 [06/Feb/2019:00:01:57 +0000] 192.0.2.3 79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be DD6CC733AEXAMPLE REST.PUT.OBJECT s3-dg.pdf "PUT /awsexamplebucket1/s3-dg.pdf HTTP/1.1" 200 - - 4406583 41754 28 "-" "S3Console/0.4" - 10S62Zv81kBW7BB6SX4XJ48o6kpcl6LPwEoizZQQxJd5qDSCTLX0TgS37kYUBKQW3+bPdrg1234= SigV4 ECDHE-RSA-AES128-SHA AuthHeader awsexamplebucket1.s3.us-west-1.amazonaws.com TLSV1.1';

describe('the s3_access_logs regex', () => {
  it('is the DDL input.regex with Hive string escapes undone, anchored to the whole line', () => {
    expect(unescapeHiveString('\\\\[ \\" \\\'')).toBe('\\[ " \'');
    expect(accessLogRegex().source).toBe(`^(?:${DOCUMENTED_REGEX})$`);
    expect(accessLogRegex().flags).toContain('s');
  });
});

describe('access log lines (RegexSerDe rules)', () => {
  const columns = tableDefinition('s3_access_logs').columns.map((c) => c.name);

  it('fills all 27 columns of a current-format line, keeping quotes and dropping the time brackets', () => {
    const row = parseAccessLogLine(CURRENT)!;
    expect(Object.keys(row)).toEqual(columns);
    expect(row).toMatchObject({
      bucket_name: 'amzn-s3-demo-bucket1',
      requestdatetime: '06/Feb/2019:00:00:38 +0000',
      requestid: '3E57427F3EXAMPLE',
      operation: 'REST.GET.VERSIONING',
      key: '-',
      request_uri: '"GET /amzn-s3-demo-bucket1?versioning HTTP/1.1"',
      httpstatus: '200',
      errorcode: '-',
      bytessent: 113,
      objectsize: null,
      totaltime: '7',
      turnaroundtime: '-',
      referrer: '"-"',
      useragent: '"S3Console/0.4"',
      versionid: '-',
      sigv: 'SigV4',
      tlsversion: 'TLSV1.2',
      accesspointarn: 'arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP',
      aclrequired: 'Yes',
      sourceregion: 'us-east-1',
    });
  });

  it('ignores fields appended after the 27th', () => {
    const row = parseAccessLogLine(`${CURRENT} future-field another`)!;
    expect(row.sourceregion).toBe('us-east-1');
    expect(Object.keys(row)).toHaveLength(27);
  });

  it('loads an older line with fewer trailing fields: the 18 fixed columns, the optional group NULL', () => {
    // The nine trailing groups are one optional group: a line that cannot fill all nine leaves
    // them all NULL (Athena reads such lines the same way with this DDL).
    const row = parseAccessLogLine(OLDER)!;
    expect(row).toMatchObject({ operation: 'REST.PUT.OBJECT', key: 's3-dg.pdf', bytessent: null, objectsize: 4406583, totaltime: '41754', turnaroundtime: '28', versionid: '-' });
    for (const name of columns.slice(18)) expect(row[name]).toBeNull();
  });

  it('parses BIGINT columns like Long.valueOf and makes anything else NULL', () => {
    const line = (sent: string) => CURRENT.replace('200 - 113 - 7', `200 - ${sent} 9223372036854775807 7`);
    expect(parseAccessLogLine(line('+42'))!.bytessent).toBe(42);
    expect(parseAccessLogLine(line('1.5'))!.bytessent).toBeNull();
    expect(parseAccessLogLine(line('9223372036854775808'))!.bytessent).toBeNull();
    expect(parseAccessLogLine(line('7'))!.objectsize).toBe('9223372036854775807');
  });

  it('returns null for a line the regex does not match', () => {
    expect(parseAccessLogLine('this is not an access log line')).toBeNull();
    expect(parseAccessLogLine(CURRENT.replace('"GET /amzn-s3-demo-bucket1?versioning HTTP/1.1"', 'GET /x HTTP/1.1'))).toBeNull();
  });
});

describe('access log objects', () => {
  const lake = tempLake();
  afterAll(() => lake.cleanup());

  async function read(text: string) {
    const key = putAccessLog(lake, { day: '2025-03-04' }, text);
    const batches: SourceBatch[] = [];
    for await (const b of readAccessLog({ absPath: path.join(lake.dir, key), file: key, partition: { timestamp: '2025/03/04' } })) batches.push(b);
    return { key, rows: batches.flatMap((b) => b.rows), rejected: batches.flatMap((b) => b.rejected), textBytes: batches.reduce((n, b) => n + b.textBytes, 0) };
  }

  it('rejects a garbled line with its line number, loads the others and ignores the trailing newline', async () => {
    const text = `${CURRENT}\n${CURRENT.slice(0, 60)}\n${OLDER}\n`;
    const { key, rows, rejected, textBytes } = await read(text);
    expect(rows).toHaveLength(2);
    expect(rows.map((r) => r.timestamp)).toEqual(['2025/03/04', '2025/03/04']);
    expect(rejected).toEqual([{ file: key, line: 2, reason: 'line does not match the access-log format' }]);
    expect(textBytes).toBe(Buffer.byteLength(text));
  });

  it('strips CR of CRLF lines, reports blank lines in the middle and ignores trailing blank lines', async () => {
    const { key, rows, rejected } = await read(`${CURRENT}\r\n\r\n${OLDER}\r\n\n\n`);
    expect(rows.map((r) => r.sourceregion)).toEqual(['us-east-1', null]);
    expect(rows[1]!.turnaroundtime).toBe('28');
    expect(rejected).toEqual([{ file: key, line: 2, reason: 'empty line' }]);
  });

  it('refuses a line longer than a log line may be, with its number, and loads the lines around it', async () => {
    // A matching line whose user agent alone is over a million characters.
    const long = CURRENT.replace('"S3Console/0.4"', `"${'a'.repeat(MAX_SOURCE_LINE_CHARS)}"`);
    expect(parseAccessLogLine(long)).not.toBeNull();
    const { key, rows, rejected } = await read(`${CURRENT}\n${long}\n${OLDER}\n`);
    expect(rows).toHaveLength(2);
    expect(rejected).toEqual([
      { file: key, line: 2, reason: `line of ${long.length.toLocaleString('en-US')} characters is longer than the 1,048,576 a log line may be` },
    ]);
  });

  it('reads an empty object as no rows', async () => {
    expect(await read('')).toMatchObject({ rows: [], rejected: [] });
  });
});
