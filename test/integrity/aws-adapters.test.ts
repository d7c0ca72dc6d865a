import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CloudTrailPublicKeys, S3TrailStore } from '@/lib/integrity/aws';
import { loadDigest } from '@/lib/integrity/digest-file';
import { KeyRing } from '@/lib/integrity/key-ring';
import { DEFAULT_LAYOUT } from '@/lib/lake/layout';
import { AwsReplay, cloudTrailOk, fixture, jsonFixture, s3Xml, type ReplayRequest } from '@/test/support/aws-replay';

// The AWS adapters against responses in the shapes S3 (REST-XML) and CloudTrail (JSON 1.1) send.
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

type KeyPage = { NextToken?: string; PublicKeyList: { Fingerprint: string; Value: string; ValidityStartTime: number; ValidityEndTime: number }[] };

const BUCKET = 'custos-logs';
const DAY_PREFIX = 'AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/10/05/';
const DIGEST_KEY = `${DAY_PREFIX}111122223333_CloudTrail-Digest_us-east-1_custos-trail_us-east-1_20261005T010131Z.json.gz`;
const DIGEST_BODY = fs.readFileSync(path.resolve('test/fixtures/aws/s3/digests/digest-111122223333-us-east-1-20261005T010131Z.json'));

function store() {
  return new S3TrailStore(replay.s3Client(), BUCKET, DEFAULT_LAYOUT);
}

async function collect(keys: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const k of keys) out.push(k);
  return out;
}

async function bytes(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

describe('CloudTrail ListPublicKeys adapter', () => {
  it('follows NextToken across pages and returns each key with its DER bytes and validity', async () => {
    const page1 = jsonFixture<KeyPage>('cloudtrail/list-public-keys-page-1.json');
    const page2 = jsonFixture<KeyPage>('cloudtrail/list-public-keys-page-2.json');
    replay.on('cloudtrail:ListPublicKeys', cloudTrailOk(page1), cloudTrailOk(page2));
    const regions: string[] = [];
    const source = new CloudTrailPublicKeys((region) => {
      regions.push(region);
      return replay.cloudTrailClient(region);
    });
    const start = new Date('2026-10-04T00:00:00Z');
    const end = new Date('2026-10-07T00:00:00Z');
    const keys = await source.publicKeys('us-west-2', start, end);

    expect(regions).toEqual(['us-west-2']);
    const requests = replay.requests('cloudtrail:ListPublicKeys');
    expect(requests).toHaveLength(2);
    expect(requests[0]!.headers['x-amz-target']).toBe('CloudTrail_20131101.ListPublicKeys');
    expect(requests[0]!.json).toEqual({ StartTime: start.getTime() / 1000, EndTime: end.getTime() / 1000 });
    expect(requests[1]!.json).toEqual({ StartTime: start.getTime() / 1000, EndTime: end.getTime() / 1000, NextToken: page1.NextToken });
    expect(replay.unexpected).toEqual([]);

    const recorded = [...page1.PublicKeyList, ...page2.PublicKeyList];
    expect(keys.map((k) => k.fingerprint)).toEqual(recorded.map((k) => k.Fingerprint));
    keys.forEach((k, i) => {
      expect(Buffer.from(k.der).equals(Buffer.from(recorded[i]!.Value, 'base64'))).toBe(true);
      expect(k.validFrom.getTime()).toBe(recorded[i]!.ValidityStartTime * 1000);
      expect(k.validTo.getTime()).toBe(recorded[i]!.ValidityEndTime * 1000);
    });
  });
});

describe('S3 trail store', () => {
  it('discovers account and organization outputs from the folders under AWSLogs/, digest and log Regions alike', async () => {
    const byPrefix: Record<string, string> = {
      'AWSLogs/': 's3/digests/list-awslogs-folders.xml',
      'AWSLogs/o-aa111bb222/': 's3/digests/list-organization-folders.xml',
      'AWSLogs/111122223333/CloudTrail-Digest/': 's3/digests/list-digest-regions.xml',
      'AWSLogs/111122223333/CloudTrail/': 's3/digests/list-log-regions.xml',
      'AWSLogs/o-aa111bb222/444455556666/CloudTrail-Digest/': 's3/digests/list-organization-digest-regions.xml',
    };
    replay.on('s3:ListObjectsV2', (req: ReplayRequest) => s3Xml(fixture(byPrefix[req.query.prefix ?? ''] ?? 's3/list-objects-v2-empty.xml')));
    const outputs = await store().trailOutputs();
    expect(outputs).toEqual([
      { organizationId: null, account: '111122223333', region: 'eu-west-1' },
      { organizationId: null, account: '111122223333', region: 'us-east-1' },
      { organizationId: null, account: '111122223333', region: 'us-west-2' },
      { organizationId: 'o-aa111bb222', account: '444455556666', region: 'us-east-1' },
    ]);
    const listings = replay.requests('s3:ListObjectsV2');
    expect(listings.every((r) => r.bucket === BUCKET && r.query.delimiter === '/')).toBe(true);
    expect(listings.map((r) => r.query.prefix)).toEqual([
      'AWSLogs/',
      'AWSLogs/o-aa111bb222/',
      'AWSLogs/111122223333/CloudTrail-Digest/',
      'AWSLogs/111122223333/CloudTrail/',
      'AWSLogs/o-aa111bb222/444455556666/CloudTrail-Digest/',
      'AWSLogs/o-aa111bb222/444455556666/CloudTrail/',
    ]);
  });

  it("lists one day's digests across continuation pages and keeps only digest keys", async () => {
    replay.on('s3:ListObjectsV2', s3Xml(fixture('s3/digests/list-digest-day-page-1.xml')), s3Xml(fixture('s3/digests/list-digest-day-page-2.xml')));
    const keys = await collect(store().listDigests({ organizationId: null, account: '111122223333', region: 'us-east-1' }, '2026-10-05'));
    expect(keys.map((k) => k.slice(DAY_PREFIX.length))).toEqual([
      '111122223333_CloudTrail-Digest_us-east-1_custos-trail_us-east-1_20261005T000131Z.json.gz',
      '111122223333_CloudTrail-Digest_us-east-1_custos-trail_us-east-1_20261005T010131Z.json.gz',
      '111122223333_CloudTrail-Digest_us-east-1_custos-trail_us-east-1_20261005T020131Z.json.gz',
    ]);
    const [first, second] = replay.requests('s3:ListObjectsV2');
    expect(first!.query).toMatchObject({ 'list-type': '2', prefix: DAY_PREFIX });
    expect(first!.query['continuation-token']).toBeUndefined();
    expect(second!.query).toMatchObject({ prefix: DAY_PREFIX, 'continuation-token': '1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=' });
  });

  it('lists digests from a day on with StartAfter just before that day folder', async () => {
    replay.on('s3:ListObjectsV2', s3Xml(fixture('s3/digests/list-digests-start-after.xml')));
    const keys = await collect(store().digestsFrom({ organizationId: null, account: '111122223333', region: 'us-east-1' }, '2026-10-07'));
    expect(keys).toEqual(['AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/10/09/111122223333_CloudTrail-Digest_us-east-1_custos-trail_us-east-1_20261009T000131Z.json.gz']);
    expect(replay.requests('s3:ListObjectsV2')[0]!.query).toMatchObject({
      prefix: 'AWSLogs/111122223333/CloudTrail-Digest/us-east-1/',
      'start-after': 'AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/10/07',
    });
  });

  it('reads a digest with its x-amz-meta-signature, and the signature verifies with the ListPublicKeys key', async () => {
    const headers = jsonFixture<Record<string, string>>('s3/digests/get-object-digest-headers.json');
    const gz = zlib.gzipSync(DIGEST_BODY);
    replay.on('s3:GetObject', { status: 200, headers: { ...headers, 'content-length': String(gz.length) }, body: gz });
    replay.on('cloudtrail:ListPublicKeys', cloudTrailOk(jsonFixture('cloudtrail/list-public-keys-page-2.json')));
    const object = await store().get(DIGEST_KEY);
    expect(replay.requests('s3:GetObject')[0]).toMatchObject({ bucket: BUCKET, key: DIGEST_KEY });
    expect(object!.metadata).toEqual({ signature: headers['x-amz-meta-signature'], 'signature-algorithm': 'SHA256withRSA' });

    const digest = await loadDigest(DIGEST_KEY, object!);
    expect(digest.json?.digestS3Object).toBe(DIGEST_KEY);
    const ring = new KeyRing(new CloudTrailPublicKeys((r) => replay.cloudTrailClient(r)), new Date('2026-10-04T00:00:00Z'), new Date('2026-10-07T00:00:00Z'));
    expect(await ring.verdict(digest, 'us-east-1')).toBe('valid');
    const forged = { ...digest, metadata: { ...digest.metadata, signature: `${headers['x-amz-meta-signature']!.slice(0, -2)}00` } };
    expect(await ring.verdict(forged, 'us-east-1')).toBe('bad-signature');
  });

  it('answers null for a missing object (GetObject NoSuchKey, HeadObject 404) and throws on access denied', async () => {
    replay.on('s3:GetObject', s3Xml(fixture('s3/digests/error-no-such-key.xml'), 404));
    replay.on('s3:HeadObject', { status: 404, headers: { 'x-amz-request-id': '4Q9ZK2M7X1B8D3F5' } });
    const s = store();
    expect(await s.get(`${DAY_PREFIX}111122223333_CloudTrail-Digest_us-east-1_custos-trail_us-east-1_20261005T030131Z.json.gz`)).toBeNull();
    expect(await s.head(DIGEST_KEY)).toBeNull();
    replay.reset();
    replay.on('s3:HeadObject', { status: 200, headers: { 'x-amz-meta-signature': 'ab12', 'x-amz-meta-signature-algorithm': 'SHA256withRSA', 'content-length': '1187' } });
    expect(await s.head(DIGEST_KEY)).toEqual({ signature: 'ab12', 'signature-algorithm': 'SHA256withRSA' });
    replay.on('s3:GetObject', s3Xml(fixture('s3/digests/error-access-denied-get-object.xml'), 403));
    await expect(s.get(DIGEST_KEY)).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it('streams an object body as stored (gzip bytes, whatever its Content-Encoding)', async () => {
    const gz = zlib.gzipSync(Buffer.from('{"Records":[]}'));
    replay.on('s3:GetObject', { status: 200, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': String(gz.length) }, body: gz });
    const object = await store().get('AWSLogs/111122223333/CloudTrail/us-east-1/2026/10/05/111122223333_CloudTrail_us-east-1_20261005T0045Z_Q2hXVC9Mbr6fTq3e.json.gz');
    expect((await bytes(object!.body)).equals(gz)).toBe(true);
    expect(object!.metadata).toEqual({});
  });
});
