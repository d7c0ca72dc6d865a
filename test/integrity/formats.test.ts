import { createHash } from 'node:crypto';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { contentSha256, loadDigest, signingString } from '@/lib/integrity/digest-file';
import { compactTimeMs, digestKeyEndingAt } from '@/lib/integrity/keys';
import { hoursOf } from '@/lib/integrity/report';

async function* chunks(...parts: Buffer[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield p;
}

describe('problem hours', () => {
  it('runs from the hour holding the start to the hour boundary at or after the end', () => {
    const at = (iso: string) => Date.parse(iso);
    expect(hoursOf('missing-digest', 'k', at('2026-10-05T13:01:31Z'), at('2026-10-05T14:01:31Z'))).toEqual({
      kind: 'missing-digest',
      file: 'k',
      from: '2026-10-05T13:00:00Z',
      to: '2026-10-05T15:00:00Z',
    });
    expect(hoursOf('altered-log', 'k', at('2026-10-05T14:42:27Z'), at('2026-10-05T14:52:27Z') + 1)).toMatchObject({ from: '2026-10-05T14:00:00Z', to: '2026-10-05T15:00:00Z' });
    // an instant on the hour belongs to the hour it starts
    expect(hoursOf('unlisted-log', 'k', at('2026-10-05T23:00:00Z'), at('2026-10-05T23:00:00Z') + 1)).toMatchObject({ from: '2026-10-05T23:00:00Z', to: '2026-10-06T00:00:00Z' });
  });
});

describe('CloudTrail key times', () => {
  it('reads the delivery minute of a log key and the end second of a digest key', () => {
    expect(compactTimeMs('20261005T0045Z')).toBe(Date.parse('2026-10-05T00:45:00Z'));
    expect(compactTimeMs('20261005T010131Z')).toBe(Date.parse('2026-10-05T01:01:31Z'));
    expect(compactTimeMs('2026-10-05')).toBeNaN();
  });

  it('names the digest a chain would have delivered at another end time, day folder included', () => {
    const key = 'cloudtrail/AWSLogs/o-aa111bb222/111122223333/CloudTrail-Digest/us-east-1/2026/10/06/111122223333_CloudTrail-Digest_us-east-1_org_trail_us-east-1_20261006T000131Z.json.gz';
    expect(digestKeyEndingAt(key, Date.parse('2026-10-05T23:01:31Z'))).toBe(
      'cloudtrail/AWSLogs/o-aa111bb222/111122223333/CloudTrail-Digest/us-east-1/2026/10/05/111122223333_CloudTrail-Digest_us-east-1_org_trail_us-east-1_20261005T230131Z.json.gz',
    );
  });
});

describe('object content', () => {
  const text = Buffer.from('{"Records":[{"eventID":"1"}]}');
  const sha = createHash('sha256').update(text).digest('hex');

  it('hashes the uncompressed content of a gzip object, in any chunking, and of a plain one', async () => {
    const gz = zlib.gzipSync(text);
    expect(await contentSha256({ body: chunks(gz), metadata: {} })).toBe(sha);
    expect(await contentSha256({ body: chunks(Buffer.alloc(0), gz.subarray(0, 1), gz.subarray(1, 7), gz.subarray(7)), metadata: {} })).toBe(sha);
    expect(await contentSha256({ body: chunks(text), metadata: {} })).toBe(sha);
  });

  it('answers null for a corrupt or truncated gzip stream', async () => {
    const gz = zlib.gzipSync(text);
    const corrupt = Buffer.from(gz);
    corrupt[12] = corrupt[12]! ^ 0xff;
    expect(await contentSha256({ body: chunks(corrupt), metadata: {} })).toBeNull();
    expect(await contentSha256({ body: chunks(gz.subarray(0, gz.length - 6)), metadata: {} })).toBeNull();
  });

  it('builds the signing string of aws-formats §7.3, with "null" for a chain start', async () => {
    const doc = {
      awsAccountId: '111122223333',
      digestStartTime: '2026-10-05T00:01:31Z',
      digestEndTime: '2026-10-05T01:01:31Z',
      digestS3Bucket: 'custos-logs',
      digestS3Object: 'AWSLogs/x.json.gz',
      digestPublicKeyFingerprint: 'ab',
      previousDigestS3Bucket: null,
      previousDigestS3Object: null,
      previousDigestHashValue: null,
      previousDigestSignature: null,
      logFiles: [],
    };
    const body = Buffer.from(JSON.stringify(doc));
    const digest = await loadDigest('AWSLogs/x.json.gz', { body: chunks(zlib.gzipSync(body)), metadata: {} });
    const bodySha = createHash('sha256').update(body).digest('hex');
    expect(digest.sha256).toBe(bodySha);
    expect(signingString(digest.json!, digest.sha256!)).toBe(`2026-10-05T01:01:31Z\ncustos-logs/AWSLogs/x.json.gz\n${bodySha}\nnull`);
    const notADigest = await loadDigest('k', { body: chunks(zlib.gzipSync(Buffer.from('{"Records":[]}'))), metadata: {} });
    expect(notADigest.json).toBeNull();
    expect(notADigest.sha256).not.toBeNull();
  });
});
