import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { awsIntegritySources } from '@/lib/integrity/aws';
import { localIntegritySources } from '@/lib/integrity/local-lake';
import { validateTrailIntegrity } from '@/lib/integrity/validate-digests';
import { DEFAULT_LAYOUT } from '@/lib/lake/layout';
import { AwsReplay, cloudTrailOk, fixture, type ReplayRequest, type ReplayResponse } from '@/test/support/aws-replay';
import { chain, digestHours, digestsIn, generateTrailLake, IMAGING, logHours, readTrail } from '@/test/integrity/trail-lake';

// The same validator over S3 and CloudTrail's ListPublicKeys: a generated lake served in the
// shapes AWS sends (ListObjectsV2 XML pages, GetObject/HeadObject with x-amz-meta-signature,
// ListPublicKeys JSON 1.1 answered in the Region the request was signed for).
const BUCKET = 'custos-demo-logs';
const PAGE = 50;
const WINDOW = { from: '2026-10-28', to: '2026-10-29' };

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-integrity-aws-'));
const lakeDir = path.join(root, 'lake');
let replay: AwsReplay;
let keys: string[] = [];
let trail: ReturnType<typeof readTrail>;
/** Per case: objects S3 no longer has, and bodies it serves instead of the lake's. */
let hidden = new Set<string>();
let replaced = new Map<string, Buffer>();
/** Objects served without their user metadata (a copy that lost x-amz-meta-signature). */
let unsignedKeys = new Set<string>();

beforeAll(async () => {
  await generateTrailLake(lakeDir);
  trail = readTrail(lakeDir);
  keys = [...trail.logs, ...trail.digests.map((d) => d.key)].sort();
  replay = await AwsReplay.start();
});
afterAll(async () => {
  await replay.close();
  fs.rmSync(root, { recursive: true, force: true });
});
beforeEach(() => {
  replay.reset();
  hidden = new Set();
  replaced = new Map();
  unsignedKeys = new Set();
  replay.on('s3:ListObjectsV2', listObjectsV2).on('s3:GetObject', (r) => object(r, true)).on('s3:HeadObject', (r) => object(r, false));
  replay.on('cloudtrail:ListPublicKeys', listPublicKeys);
});

const xml = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

function listObjectsV2(req: ReplayRequest): ReplayResponse {
  const { prefix = '', delimiter, 'start-after': startAfter, 'continuation-token': token } = req.query;
  const after = token ? Buffer.from(token, 'base64').toString('utf8') : (startAfter ?? '');
  const entries: { key?: string; prefix?: string }[] = [];
  for (const key of keys) {
    if (!key.startsWith(prefix) || key <= after || hidden.has(key)) continue;
    const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
    if (cut < 0) entries.push({ key });
    else if (entries.at(-1)?.prefix !== key.slice(0, cut + 1)) entries.push({ prefix: key.slice(0, cut + 1) });
  }
  const page = entries.slice(0, PAGE);
  const truncated = entries.length > PAGE;
  const last = page.at(-1);
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${BUCKET}</Name><Prefix>${xml(prefix)}</Prefix>` +
    (startAfter ? `<StartAfter>${xml(startAfter)}</StartAfter>` : '') +
    (token ? `<ContinuationToken>${xml(token)}</ContinuationToken>` : '') +
    (truncated ? `<NextContinuationToken>${Buffer.from(last!.key ?? `${last!.prefix}\uffff`).toString('base64')}</NextContinuationToken>` : '') +
    `<KeyCount>${page.length}</KeyCount><MaxKeys>1000</MaxKeys>` +
    (delimiter ? `<Delimiter>${xml(delimiter)}</Delimiter>` : '') +
    `<IsTruncated>${truncated}</IsTruncated>` +
    page
      .filter((e) => e.key)
      .map((e) => {
        const size = fs.statSync(path.join(lakeDir, e.key!)).size;
        return `<Contents><Key>${xml(e.key!)}</Key><LastModified>2026-11-01T00:00:00.000Z</LastModified><ETag>&quot;${createHash('md5').update(e.key!).digest('hex')}&quot;</ETag><ChecksumAlgorithm>CRC64NVME</ChecksumAlgorithm><ChecksumType>FULL_OBJECT</ChecksumType><Size>${size}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
      })
      .join('') +
    page
      .filter((e) => e.prefix)
      .map((e) => `<CommonPrefixes><Prefix>${xml(e.prefix!)}</Prefix></CommonPrefixes>`)
      .join('') +
    '</ListBucketResult>';
  return { status: 200, headers: { 'content-type': 'application/xml' }, body };
}

function object(req: ReplayRequest, withBody: boolean): ReplayResponse {
  const key = req.key ?? '';
  const file = path.join(lakeDir, key);
  if (req.bucket !== BUCKET || hidden.has(key) || !keys.includes(key)) {
    return withBody ? { status: 404, headers: { 'content-type': 'application/xml' }, body: fixture('s3/digests/error-no-such-key.xml') } : { status: 404 };
  }
  const body = replaced.get(key) ?? fs.readFileSync(file);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'content-encoding': 'gzip',
    'content-length': String(body.length),
    etag: `"${createHash('md5').update(body).digest('hex')}"`,
    'last-modified': 'Sun, 01 Nov 2026 00:00:00 GMT',
    'x-amz-server-side-encryption': 'AES256',
  };
  if (!unsignedKeys.has(key) && fs.existsSync(`${file}.metadata.json`)) {
    for (const [name, value] of Object.entries(JSON.parse(fs.readFileSync(`${file}.metadata.json`, 'utf8')) as Record<string, string>)) {
      headers[`x-amz-meta-${name}`] = value;
    }
  }
  return { status: 200, headers, body: withBody ? body : undefined };
}

function listPublicKeys(req: ReplayRequest): ReplayResponse {
  // The Region is the one in the SigV4 credential scope: …/<date>/<region>/cloudtrail/aws4_request
  const region = /Credential=[^/]+\/\d{8}\/([a-z0-9-]+)\/cloudtrail\/aws4_request/.exec(String(req.headers.authorization))![1]!;
  return cloudTrailOk(JSON.parse(fs.readFileSync(path.join(lakeDir, '_custos/cloudtrail-public-keys', `${region}.json`), 'utf8')) as Record<string, unknown>);
}

function awsSources() {
  return awsIntegritySources({ s3: replay.s3Client(), cloudTrail: (region) => replay.cloudTrailClient(region) }, { bucket: BUCKET, layout: DEFAULT_LAYOUT });
}

describe('validateTrailIntegrity over S3 and ListPublicKeys', () => {
  it('reaches the same report as over the local lake', async () => {
    const viaAws = await validateTrailIntegrity(awsSources(), WINDOW);
    const local = await validateTrailIntegrity(localIntegritySources({ dir: lakeDir, layout: DEFAULT_LAYOUT }), WINDOW);
    expect(viaAws).toEqual(local);
    expect(viaAws).toMatchObject({ ok: true, regions: ['us-east-1', 'us-west-2'] });
    expect(viaAws.digests).toEqual({ checked: digestsIn(trail.digests, WINDOW.from, WINDOW.to).length, valid: digestsIn(trail.digests, WINDOW.from, WINDOW.to).length });
    expect(replay.unexpected).toEqual([]);
    expect(replay.requests('s3:ListObjectsV2').some((r) => r.query['continuation-token'])).toBe(true);
    const keyRegions = replay.requests('cloudtrail:ListPublicKeys').map((r) => /\/(us-[a-z]+-\d)\/cloudtrail\//.exec(String(r.headers.authorization))![1]);
    expect(keyRegions.sort()).toEqual(['us-east-1', 'us-west-2']);
  });

  it('names deleted digests, an altered log file and a stripped signature as S3 serves them', async () => {
    const west = chain(trail.digests, IMAGING, 'us-west-2');
    const i = west.findIndex((d) => d.end > Date.parse('2026-10-29T05:00:00Z'));
    const gone = [west[i]!, west[i + 1]!];
    for (const d of gone) hidden.add(d.key);
    const entry = west[i + 5]!.doc.logFiles[0]!;
    const text = zlib.gunzipSync(fs.readFileSync(path.join(lakeDir, entry.s3Object)));
    text[7] = text[7]! ^ 0x20;
    replaced.set(entry.s3Object, zlib.gzipSync(text));
    const unsigned = west[i + 8]!;
    unsignedKeys.add(unsigned.key);

    const report = await validateTrailIntegrity(awsSources(), { ...WINDOW, regions: ['us-west-2'] });
    expect(report.problems).toEqual(
      [
        ...gone.map((d) => ({ kind: 'missing-digest', file: d.key, ...digestHours(d) })),
        { kind: 'altered-log', file: entry.s3Object, ...logHours(entry) },
        { kind: 'bad-signature', file: unsigned.key, ...digestHours(unsigned) },
      ].sort((a, b) => a.from.localeCompare(b.from) || a.file.localeCompare(b.file) || a.kind.localeCompare(b.kind)),
    );
    expect(report.ok).toBe(false);
  });

  it('asks S3 whether the digest named by the first one past the window exists (HeadObject) when the window ends in a gap', async () => {
    const west = chain(trail.digests, IMAGING, 'us-west-2');
    const gone = west.filter((d) => d.end > Date.parse('2026-10-29T22:00:00Z') && d.end < Date.parse('2026-10-31T00:00:00Z'));
    for (const d of gone) hidden.add(d.key);
    const report = await validateTrailIntegrity(awsSources(), { ...WINDOW, regions: ['us-west-2'] });
    const inWindow = gone.filter((d) => d.start < Date.parse('2026-10-30T00:00:00Z'));
    expect(report.problems).toEqual(inWindow.map((d) => ({ kind: 'missing-digest', file: d.key, ...digestHours(d) })));
    expect(replay.requests('s3:HeadObject').map((r) => r.key)).toContain(gone.at(-1)!.key);
  });
});
