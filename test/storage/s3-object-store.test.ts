import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ChecksumMismatchError,
  ObjectLockedError,
  ObjectNotFoundError,
  ObjectStoreError,
  allObjects,
  sha256Base64,
} from '@/lib/storage/object-store';
import { S3ObjectStore } from '@/lib/storage/s3-object-store';
import { AwsReplay, fixture, jsonFixture, type ReplayResponse } from '@/test/support/aws-replay';

// The S3 adapter against recorded responses in the shapes S3 documents: what it sends (method,
// path, query, headers, body) and what it makes of the answers.
const EVIDENCE = 'custos-evidence-111122223333';
const JOURNAL = 'custos-journal-111122223333';
const ARCHIVE = 'custos-imaging-archive';
const SERIES = 'studies/1.2.840.113619.2.408.3.284716352.20241014.44713/1.2.840.113619.2.412.3.2847163521.20241014.311';
const instance = (n: number) => `${SERIES}/1.2.840.113619.2.415.3.2847163529.20241014.${n}.dcm`;
const RUN_PDF = 'evidence/2025/03/run-5b2d3f6e.pdf';
const RUN_VERSION = '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY';

const at = (name: string) => `s3/object-store/${name}`;
const headers = (name: string) => jsonFixture<Record<string, string>>(at(name));
const xml = (name: string, status = 200, extra: Record<string, string> = {}): ReplayResponse => ({
  status,
  headers: { 'content-type': 'application/xml', ...extra },
  body: fixture(at(name)),
});
const evidencePdf = () => fs.readFileSync(path.resolve('test/fixtures/aws', at('evidence-run.pdf')));

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
afterEach(() => {
  expect(replay.unexpected.map((r) => r.operation)).toEqual([]);
});

function store(attempts = 3) {
  return new S3ObjectStore({ client: replay.s3Client(), retry: { attempts, baseMs: 1, maxMs: 2 }, now: () => new Date('2030-01-01T00:00:00Z') });
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe('S3 object store: put', () => {
  it('sends the body with its SHA-256, metadata and Object Lock headers, and returns the new version', async () => {
    replay.on('s3:PutObject', { status: 200, headers: headers('put-object.headers.json') });
    const body = Buffer.from('{"entry":48213,"head":"9f2c4e1b"}');
    const put = await store().put({
      bucket: JOURNAL,
      key: 'journal/checkpoints/000048213.json',
      body,
      contentType: 'application/json',
      metadata: { Entry: '48213' },
      storageClass: 'STANDARD_IA',
      retention: { mode: 'COMPLIANCE', retainUntil: new Date('2032-03-05T00:00:00Z') },
      legalHold: true,
    });
    expect(put).toEqual({
      bucket: JOURNAL,
      key: 'journal/checkpoints/000048213.json',
      versionId: 'Fq3bUeXk0x7Sm2QyRr9Lh.AvWcN4tPjD',
      etag: '4c1e0f5b6d7a8e9f0a1b2c3d4e5f6a7b',
      checksumSha256: 'GVOPDV1HRUI1irZ+1jxdy0gCNjM3J2v172tw+Z7Zju4=',
    });

    const [sent] = replay.requests('s3:PutObject');
    expect(sent).toMatchObject({ method: 'PUT', bucket: JOURNAL, key: 'journal/checkpoints/000048213.json', query: { 'x-id': 'PutObject' } });
    expect(sent!.bodyBytes).toEqual(body);
    expect(sent!.headers).toMatchObject({
      'x-amz-checksum-sha256': sha256Base64(body),
      'x-amz-meta-entry': '48213',
      'content-type': 'application/json',
      'content-length': String(body.length),
      'x-amz-storage-class': 'STANDARD_IA',
      'x-amz-object-lock-mode': 'COMPLIANCE',
      'x-amz-object-lock-retain-until-date': '2032-03-05T00:00:00Z',
      'x-amz-object-lock-legal-hold': 'ON',
    });
  });

  it('sends no Object Lock headers for a plain put, and streams a body of known length with its checksum, without retrying it', async () => {
    replay.on('s3:PutObject', { status: 200, headers: headers('put-object.headers.json') }, xml('error-slow-down.xml', 503));
    await store().put({ bucket: EVIDENCE, key: 'plain.txt', body: 'plain' });
    const [plain] = replay.requests('s3:PutObject');
    expect(Object.keys(plain!.headers).filter((h) => h.startsWith('x-amz-object-lock'))).toEqual([]);

    const pdf = evidencePdf();
    const stream = Readable.from([pdf.subarray(0, 20), pdf.subarray(20)]);
    const refused = await rejection(
      store().put({ bucket: EVIDENCE, key: RUN_PDF, body: { stream, contentLength: pdf.length }, checksumSha256: sha256Base64(pdf) }),
    );
    expect(refused).toMatchObject({ code: 'throttled', storeCode: 'SlowDown' });
    const streamed = replay.requests('s3:PutObject').slice(1);
    expect(streamed).toHaveLength(1);
    expect(streamed[0]!.bodyBytes).toEqual(pdf);
    expect(streamed[0]!.headers).toMatchObject({ 'content-length': String(pdf.length), 'x-amz-checksum-sha256': sha256Base64(pdf) });
  });

  it('turns BadDigest into a checksum mismatch and a lock on a bucket without Object Lock into an invalid request', async () => {
    replay.on('s3:PutObject', xml('error-bad-digest.xml', 400), xml('error-invalid-request-no-object-lock.xml', 400));
    const claimed = sha256Base64('what the caller meant to send');
    const mismatch = await rejection(store().put({ bucket: EVIDENCE, key: RUN_PDF, body: evidencePdf(), checksumSha256: claimed }));
    expect(mismatch).toBeInstanceOf(ChecksumMismatchError);
    expect(mismatch).toMatchObject({ code: 'checksum', expected: claimed, actual: null, storeCode: 'BadDigest' });
    expect(replay.requests('s3:PutObject')[0]!.headers['x-amz-checksum-sha256']).toBe(claimed);

    const invalid = await rejection(
      store().put({ bucket: 'custos-scratch', key: 'x', body: 'x', retention: { mode: 'COMPLIANCE', retainUntil: new Date('2032-01-01T00:00:00Z') } }),
    );
    expect(invalid).toMatchObject({ code: 'invalid', storeCode: 'InvalidRequest' });
    expect((invalid as Error).message).toContain('Bucket is missing Object Lock Configuration');
  });
});

describe('S3 object store: get and head', () => {
  it('gets a version with its body, lock state, metadata and checksum, asking S3 to check the checksum', async () => {
    replay.on('s3:GetObject', { status: 200, headers: headers('get-object-evidence.headers.json'), body: evidencePdf() });
    const got = await store().get({ bucket: EVIDENCE, key: RUN_PDF, versionId: RUN_VERSION });
    expect(Buffer.from(got.body)).toEqual(evidencePdf());
    const { body: _body, ...info } = got;
    expect(info).toEqual({
      bucket: EVIDENCE,
      key: RUN_PDF,
      versionId: RUN_VERSION,
      size: 47,
      etag: '78528c155822bff712aa1f2677425931',
      lastModified: new Date('2025-03-05T14:02:11Z'),
      storageClass: 'STANDARD',
      contentType: 'application/pdf',
      metadata: { 'run-id': '5b2d3f6e-8c41-4b7a-9d0e-1f2a3b4c5d6e' },
      checksumSha256: sha256Base64(evidencePdf()),
      retention: { mode: 'COMPLIANCE', retainUntil: new Date('2032-03-05T00:00:00Z') },
      legalHold: false,
    });
    const [sent] = replay.requests('s3:GetObject');
    expect(sent).toMatchObject({ method: 'GET', key: RUN_PDF, query: { 'x-id': 'GetObject', versionId: RUN_VERSION } });
    expect(sent!.headers['x-amz-checksum-mode']).toBe('ENABLED');
  });

  it('streams a body as a Readable', async () => {
    async function* slowly() {
      const pdf = evidencePdf();
      yield pdf.subarray(0, 10);
      yield pdf.subarray(10);
    }
    replay.on('s3:GetObject', { status: 200, headers: headers('get-object-evidence.headers.json'), body: slowly() });
    const streamed = await store().stream({ bucket: EVIDENCE, key: RUN_PDF });
    expect(streamed.body).toBeInstanceOf(Readable);
    const chunks: Buffer[] = [];
    for await (const chunk of streamed.body) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks)).toEqual(evidencePdf());
    expect(streamed.versionId).toBe(RUN_VERSION);
    expect(replay.requests('s3:GetObject')[0]!.query.versionId).toBeUndefined();
  });

  it('heads an archived instance: storage class, COMPLIANCE retention and legal hold from the headers', async () => {
    replay.on('s3:HeadObject', { status: 200, headers: headers('head-object-archive.headers.json') });
    const info = await store().head({ bucket: ARCHIVE, key: instance(1208), versionId: 'pQ0z8YtW3rVb.NkL5xHm2cJf7GsA9uDe' });
    expect(info).toMatchObject({
      size: 48_234_496,
      etag: '6f1ed002ab5595859014ebf0951522d9-3',
      storageClass: 'DEEP_ARCHIVE',
      contentType: 'application/dicom',
      retention: { mode: 'COMPLIANCE', retainUntil: new Date('2031-10-14T00:00:00Z') },
      legalHold: true,
      checksumSha256: null,
    });
    expect(replay.requests('s3:HeadObject')[0]).toMatchObject({ method: 'HEAD', key: instance(1208), query: { versionId: 'pQ0z8YtW3rVb.NkL5xHm2cJf7GsA9uDe' } });
  });

  it('tells a delete marker from a missing key', async () => {
    const marker = { 'x-amz-delete-marker': 'true', 'x-amz-version-id': 'Dm9x.Kq2Wv5Lr8Tn1Yb4Hc7Gf0Jd3Sa6' };
    replay.on('s3:HeadObject', { status: 404, headers: marker });
    replay.on('s3:GetObject', xml('error-no-such-key.xml', 404), xml('error-method-not-allowed.xml', 405, marker));

    const hidden = await rejection(store().head({ bucket: ARCHIVE, key: instance(1207) }));
    expect(hidden).toBeInstanceOf(ObjectNotFoundError);
    expect(hidden).toMatchObject({ deleteMarker: true, versionId: null, storeCode: 'NotFound' });

    const missing = await rejection(store().get({ bucket: EVIDENCE, key: RUN_PDF }));
    expect(missing).toMatchObject({ code: 'not-found', deleteMarker: false, storeCode: 'NoSuchKey' });

    const markerVersion = await rejection(store().get({ bucket: ARCHIVE, key: instance(1207), versionId: 'Dm9x.Kq2Wv5Lr8Tn1Yb4Hc7Gf0Jd3Sa6' }));
    expect(markerVersion).toBeInstanceOf(ObjectNotFoundError);
    expect(markerVersion).toMatchObject({ deleteMarker: true, versionId: 'Dm9x.Kq2Wv5Lr8Tn1Yb4Hc7Gf0Jd3Sa6', storeCode: 'MethodNotAllowed' });
  });

  it('says an archived object must be restored before it can be read, rather than calling it a denial', async () => {
    replay.on('s3:GetObject', xml('error-invalid-object-state.xml', 403));
    const error = await rejection(store().get({ bucket: ARCHIVE, key: instance(1208) }));
    expect(error).toMatchObject({ code: 'invalid', storeCode: 'InvalidObjectState' });
    expect((error as Error).message).toContain("not valid for the object's storage class");
    expect(replay.requests('s3:GetObject')).toHaveLength(1);
  });
});

describe('S3 object store: throttling', () => {
  it('retries SlowDown (503) with back-off and returns the answer that follows', async () => {
    replay.on(
      's3:GetObject',
      xml('error-slow-down.xml', 503),
      xml('error-slow-down.xml', 503),
      { status: 200, headers: headers('get-object-evidence.headers.json'), body: evidencePdf() },
    );
    const got = await store().get({ bucket: EVIDENCE, key: RUN_PDF, versionId: RUN_VERSION });
    expect(Buffer.from(got.body)).toEqual(evidencePdf());
    const sent = replay.requests('s3:GetObject');
    expect(sent).toHaveLength(3);
    expect(sent.every((r) => r.query.versionId === RUN_VERSION)).toBe(true);
  });

  it('reads the body again when the connection drops halfway through it', async () => {
    async function* cutOff() {
      yield evidencePdf().subarray(0, 20);
      throw new Error('connection lost');
    }
    replay.on(
      's3:GetObject',
      { status: 200, headers: headers('get-object-evidence.headers.json'), body: cutOff() },
      { status: 200, headers: headers('get-object-evidence.headers.json'), body: evidencePdf() },
    );
    const got = await store().get({ bucket: EVIDENCE, key: RUN_PDF, versionId: RUN_VERSION });
    expect(Buffer.from(got.body)).toEqual(evidencePdf());
    expect(replay.requests('s3:GetObject').map((r) => r.response.finished)).toEqual([false, true]);
  });

  it('gives up after the last attempt with a throttled error naming the operation', async () => {
    replay.on('s3:ListObjectsV2', xml('error-slow-down.xml', 503));
    const error = await rejection(store(4).listObjects({ bucket: EVIDENCE, prefix: 'evidence/' }));
    expect(error).toBeInstanceOf(ObjectStoreError);
    expect(error).toMatchObject({ code: 'throttled', storeCode: 'SlowDown' });
    expect((error as Error).message).toMatch(/ListObjectsV2.*SlowDown.*4 attempts/);
    expect(replay.requests('s3:ListObjectsV2')).toHaveLength(4);
  });
});

describe('S3 object store: listing', () => {
  it('lists objects with ListObjectsV2, page by page through continuation tokens', async () => {
    replay.on('s3:ListObjectsV2', xml('list-objects-v2-page-1.xml'), xml('list-objects-v2-page-2.xml'));
    const listed = [];
    for await (const o of allObjects(store(), { bucket: EVIDENCE, prefix: 'evidence/2025/03/', maxKeys: 2 })) listed.push(o);
    expect(listed).toEqual([
      { key: 'evidence/2025/03/run-5b2d3f6e.pdf', size: 47, etag: '78528c155822bff712aa1f2677425931', lastModified: new Date('2025-03-05T14:02:11Z'), storageClass: 'STANDARD' },
      { key: 'evidence/2025/03/run-7c1e9a04.pdf', size: 184_220, etag: 'c3b1a09f8e7d6c5b4a3f2e1d0c9b8a7f', lastModified: new Date('2025-03-06T08:44:59Z'), storageClass: 'STANDARD' },
      { key: 'evidence/2025/03/run-e2f48b77.pdf', size: 91_544, etag: '9a8b7c6d5e4f30211f2e3d4c5b6a7980', lastModified: new Date('2025-03-07T17:20:31Z'), storageClass: 'STANDARD_IA' },
    ]);
    expect(replay.requests('s3:ListObjectsV2').map((r) => [r.bucket, r.query])).toEqual([
      [EVIDENCE, { 'list-type': '2', prefix: 'evidence/2025/03/', 'max-keys': '2' }],
      [EVIDENCE, { 'list-type': '2', prefix: 'evidence/2025/03/', 'max-keys': '2', 'continuation-token': '1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=' }],
    ]);
  });

  it('lists versions and delete markers in one order, resuming from the key and version markers', async () => {
    replay.on('s3:ListObjectVersions', xml('list-object-versions-page-1.xml'), xml('list-object-versions-page-2.xml'));
    const s3 = store();
    const first = await s3.listVersions({ bucket: ARCHIVE, prefix: 'studies/1.2.840.113619.2.408.3.284716352.20241014.44713/', maxKeys: 4 });
    expect(first.versions.map((v) => [v.key, v.versionId, v.isLatest, v.isDeleteMarker])).toEqual([
      [instance(1207), 'Dm9x.Kq2Wv5Lr8Tn1Yb4Hc7Gf0Jd3Sa6', true, true],
      [instance(1207), 'Ur4eW6tY8iO0pA2sD4fG6hJ8kL0zX2cV', false, false],
      [instance(1207), 'Ae1rT3yU5iO7pA9sD1fG3hJ5kL7zX9cV', false, false],
      [instance(1208), 'Tb7.wQ2eR4tY6uI8oP0aS2dF4gH6jK8l', true, false],
    ]);
    expect(first.versions[1]).toMatchObject({ size: 524_896, etag: '0b5e8c2a7f1d4e6b9a3c5d7e9f1a2b3c', storageClass: 'STANDARD_IA' });
    expect(first.nextContinuationToken).toEqual(expect.any(String));

    const second = await s3.listVersions({ bucket: ARCHIVE, prefix: 'studies/1.2.840.113619.2.408.3.284716352.20241014.44713/', maxKeys: 4, continuationToken: first.nextContinuationToken! });
    expect(second.versions.map((v) => v.versionId)).toEqual(['Zc2vB4nM6qW8eR0tY2uI4oP6aS8dF0gH']);
    expect(second.nextContinuationToken).toBeNull();
    expect(replay.requests('s3:ListObjectVersions').map((r) => r.query)).toEqual([
      { versions: '', prefix: 'studies/1.2.840.113619.2.408.3.284716352.20241014.44713/', 'max-keys': '4' },
      {
        versions: '',
        prefix: 'studies/1.2.840.113619.2.408.3.284716352.20241014.44713/',
        'max-keys': '4',
        'key-marker': instance(1208),
        'version-id-marker': 'Tb7.wQ2eR4tY6uI8oP0aS2dF4gH6jK8l',
      },
    ]);
  });
});

describe('S3 object store: delete', () => {
  it('refuses to delete a locked version with an ObjectLockedError naming its retention', async () => {
    replay.on('s3:DeleteObject', xml('error-object-locked.xml', 403));
    replay.on('s3:GetObjectRetention', xml('get-object-retention.xml'));
    replay.on('s3:GetObjectLegalHold', xml('get-object-legal-hold.xml'));
    const refused = await rejection(store().delete({ bucket: EVIDENCE, key: RUN_PDF, versionId: RUN_VERSION }));
    expect(refused).toBeInstanceOf(ObjectLockedError);
    expect(refused).toMatchObject({
      code: 'locked',
      storeCode: 'AccessDenied',
      bucket: EVIDENCE,
      key: RUN_PDF,
      versionId: RUN_VERSION,
      reason: 'retention',
      until: new Date('2032-03-05T00:00:00Z'),
      legalHold: false,
      action: 'delete',
    });
    expect((refused as Error).message).toBe(
      `s3://${EVIDENCE}/${RUN_PDF} (version ${RUN_VERSION}) is under COMPLIANCE retention until 2032-03-05T00:00:00.000Z and cannot be deleted`,
    );
    const [sent] = replay.requests('s3:DeleteObject');
    expect(sent).toMatchObject({ method: 'DELETE', key: RUN_PDF, query: { 'x-id': 'DeleteObject', versionId: RUN_VERSION } });
    expect(sent!.headers['x-amz-bypass-governance-retention']).toBeUndefined();
    for (const op of ['s3:GetObjectRetention', 's3:GetObjectLegalHold']) {
      expect(replay.requests(op).map((r) => [r.method, r.key, r.query.versionId])).toEqual([['GET', RUN_PDF, RUN_VERSION]]);
    }
  });

  it('reports an IAM denial as denied, not as a lock', async () => {
    replay.on('s3:DeleteObject', xml('error-access-denied-delete-version.xml', 403));
    const denied = await rejection(store().delete({ bucket: EVIDENCE, key: RUN_PDF, versionId: RUN_VERSION }));
    expect(denied).not.toBeInstanceOf(ObjectLockedError);
    expect(denied).toMatchObject({ code: 'denied', storeCode: 'AccessDenied' });
    expect((denied as Error).message).toContain('s3:DeleteObjectVersion');
    expect(replay.requests('s3:GetObjectRetention')).toEqual([]);
  });

  it('adds a delete marker for a delete without a version id, and passes the governance bypass on', async () => {
    replay.on('s3:DeleteObject', { status: 204, headers: { 'x-amz-delete-marker': 'true', 'x-amz-version-id': 'Nw5.Qe7Rt9Yu1Io3Pa5Sd7Fg9Hj1Kl3Z' } }, { status: 204 });
    expect(await store().delete({ bucket: ARCHIVE, key: instance(1210) })).toEqual({
      key: instance(1210),
      versionId: null,
      deleteMarker: true,
      deleteMarkerVersionId: 'Nw5.Qe7Rt9Yu1Io3Pa5Sd7Fg9Hj1Kl3Z',
    });
    expect(await store().delete({ bucket: EVIDENCE, key: 'drafts/report.pdf', versionId: 'Gv3.Xy8Zp1Lk4Mn7Qr0St2Uv5Wx8Ab1C' }, { bypassGovernanceRetention: true })).toEqual({
      key: 'drafts/report.pdf',
      versionId: 'Gv3.Xy8Zp1Lk4Mn7Qr0St2Uv5Wx8Ab1C',
      deleteMarker: false,
      deleteMarkerVersionId: null,
    });
    const [plain, bypassing] = replay.requests('s3:DeleteObject');
    expect(plain!.query.versionId).toBeUndefined();
    expect(bypassing!.headers['x-amz-bypass-governance-retention']).toBe('true');
  });

  it('deletes a batch with DeleteObjects and reports each per-key error', async () => {
    replay.on('s3:DeleteObjects', xml('delete-objects-partial.xml'));
    const asked = [
      { key: instance(1207), versionId: 'Ae1rT3yU5iO7pA9sD1fG3hJ5kL7zX9cV' },
      { key: instance(1208), versionId: 'Tb7.wQ2eR4tY6uI8oP0aS2dF4gH6jK8l' },
      { key: instance(1207), versionId: 'Dm9x.Kq2Wv5Lr8Tn1Yb4Hc7Gf0Jd3Sa6' },
      { key: instance(1209), versionId: 'Zc2vB4nM6qW8eR0tY2uI4oP6aS8dF0gH' },
      { key: instance(1210) },
    ];
    const result = await store().deleteMany(ARCHIVE, asked);
    expect(result.deleted).toEqual([
      { key: instance(1207), versionId: 'Ae1rT3yU5iO7pA9sD1fG3hJ5kL7zX9cV', deleteMarker: false, deleteMarkerVersionId: null },
      { key: instance(1207), versionId: 'Dm9x.Kq2Wv5Lr8Tn1Yb4Hc7Gf0Jd3Sa6', deleteMarker: true, deleteMarkerVersionId: 'Dm9x.Kq2Wv5Lr8Tn1Yb4Hc7Gf0Jd3Sa6' },
      { key: instance(1210), versionId: null, deleteMarker: true, deleteMarkerVersionId: 'Nw5.Qe7Rt9Yu1Io3Pa5Sd7Fg9Hj1Kl3Z' },
    ]);
    expect(result.failed.map((f) => [f.key, f.versionId, f.error.code, f.error.storeCode])).toEqual([
      [instance(1208), 'Tb7.wQ2eR4tY6uI8oP0aS2dF4gH6jK8l', 'locked', 'AccessDenied'],
      [instance(1209), 'Zc2vB4nM6qW8eR0tY2uI4oP6aS8dF0gH', 'failed', 'InternalError'],
    ]);
    expect(result.failed[0]!.error).toBeInstanceOf(ObjectLockedError);
    expect(result.failed[0]!.error).toMatchObject({ reason: 'object-lock', versionId: 'Tb7.wQ2eR4tY6uI8oP0aS2dF4gH6jK8l' });

    const [sent] = replay.requests('s3:DeleteObjects');
    expect(sent).toMatchObject({ method: 'POST', bucket: ARCHIVE, query: { delete: '' } });
    expect(sent!.headers['x-amz-checksum-crc32'] ?? sent!.headers['content-md5']).toEqual(expect.any(String));
    const objects = asked
      .map((o) => `<Object><Key>${o.key}</Key>${o.versionId ? `<VersionId>${o.versionId}</VersionId>` : ''}</Object>`)
      .join('');
    expect(sent!.body).toBe(
      `<?xml version="1.0" encoding="UTF-8"?><Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${objects}<Quiet>false</Quiet></Delete>`,
    );
  });

  it('sends at most 1000 objects per request and keeps what an earlier request deleted when a later one fails', async () => {
    const asked = Array.from({ length: 1001 }, (_, i) => ({ key: instance(2000 + i), versionId: `V${String(i).padStart(31, '0')}` }));
    const deletedAll = (xmlBody: string) =>
      '<?xml version="1.0" encoding="UTF-8"?>\n<DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
      [...xmlBody.matchAll(/<Object><Key>([^<]+)<\/Key><VersionId>([^<]+)<\/VersionId><\/Object>/g)]
        .map(([, key, version]) => `<Deleted><Key>${key}</Key><VersionId>${version}</VersionId></Deleted>`)
        .join('') +
      '</DeleteResult>';
    replay.on(
      's3:DeleteObjects',
      (request) => ({ status: 200, headers: { 'content-type': 'application/xml' }, body: deletedAll(request.body) }),
      xml('error-access-denied-delete-version.xml', 403),
    );
    const result = await store().deleteMany(ARCHIVE, asked);
    const sent = replay.requests('s3:DeleteObjects');
    expect(sent.map((r) => r.body.match(/<Object>/g)?.length)).toEqual([1000, 1]);
    expect(result.deleted).toHaveLength(1000);
    expect(result.deleted[999]).toMatchObject({ key: instance(2999), versionId: asked[999]!.versionId });
    expect(result.failed.map((f) => [f.key, f.error.code])).toEqual([[instance(3000), 'denied']]);
  });
});

describe('S3 object store: retention and legal hold', () => {
  it('sends PutObjectRetention for a version, with the bypass when asked, and an empty retention to remove it', async () => {
    replay.on('s3:PutObjectRetention', { status: 200 });
    const s3 = store();
    await s3.putRetention({ bucket: EVIDENCE, key: RUN_PDF, versionId: RUN_VERSION }, { mode: 'COMPLIANCE', retainUntil: new Date('2033-03-05T00:00:00Z') });
    await s3.putRetention({ bucket: EVIDENCE, key: 'drafts/report.pdf', versionId: 'Gv3.Xy8Zp1Lk4Mn7Qr0St2Uv5Wx8Ab1C' }, null, { bypassGovernanceRetention: true });
    const [extend, remove] = replay.requests('s3:PutObjectRetention');
    expect(extend).toMatchObject({ method: 'PUT', key: RUN_PDF, query: { retention: '', versionId: RUN_VERSION } });
    expect(extend!.body).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Retention xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Mode>COMPLIANCE</Mode><RetainUntilDate>2033-03-05T00:00:00Z</RetainUntilDate></Retention>',
    );
    expect(extend!.headers['x-amz-bypass-governance-retention']).toBeUndefined();
    expect(extend!.headers['x-amz-checksum-crc32'] ?? extend!.headers['content-md5']).toEqual(expect.any(String));
    expect(remove!.body).toBe('<?xml version="1.0" encoding="UTF-8"?><Retention xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>');
    expect(remove!.headers['x-amz-bypass-governance-retention']).toBe('true');
  });

  it('reports a refused shortening of COMPLIANCE retention as locked, with the retention in force', async () => {
    replay.on('s3:PutObjectRetention', xml('error-object-locked.xml', 403));
    replay.on('s3:GetObjectRetention', xml('get-object-retention.xml'));
    replay.on('s3:GetObjectLegalHold', xml('get-object-legal-hold.xml'));
    const refused = await rejection(
      store().putRetention({ bucket: EVIDENCE, key: RUN_PDF, versionId: RUN_VERSION }, { mode: 'COMPLIANCE', retainUntil: new Date('2031-01-01T00:00:00Z') }),
    );
    expect(refused).toBeInstanceOf(ObjectLockedError);
    expect(refused).toMatchObject({
      action: 'change-retention',
      reason: 'retention',
      retention: { mode: 'COMPLIANCE', retainUntil: new Date('2032-03-05T00:00:00Z') },
    });
  });

  it('reads retention and legal hold, and a version without them as none', async () => {
    replay.on('s3:GetObjectRetention', xml('get-object-retention.xml'), xml('error-no-such-object-lock-configuration.xml', 404));
    replay.on('s3:GetObjectLegalHold', xml('get-object-legal-hold.xml'), xml('error-no-such-object-lock-configuration.xml', 404));
    replay.on('s3:PutObjectLegalHold', { status: 200 });
    const s3 = store();
    const ref = { bucket: EVIDENCE, key: RUN_PDF, versionId: RUN_VERSION };
    expect(await s3.getRetention(ref)).toEqual({ mode: 'COMPLIANCE', retainUntil: new Date('2032-03-05T00:00:00Z') });
    expect(await s3.getRetention({ ...ref, key: 'no-lock.txt' })).toBeNull();
    expect(await s3.getLegalHold(ref)).toBe(false);
    expect(await s3.getLegalHold({ ...ref, key: 'no-lock.txt' })).toBe(false);

    await s3.putLegalHold(ref, true);
    const [hold] = replay.requests('s3:PutObjectLegalHold');
    expect(hold).toMatchObject({ method: 'PUT', key: RUN_PDF, query: { 'legal-hold': '', versionId: RUN_VERSION } });
    expect(hold!.body).toBe('<?xml version="1.0" encoding="UTF-8"?><LegalHold xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>ON</Status></LegalHold>');
  });
});
