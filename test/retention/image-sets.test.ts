import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ImageSetError, type ImageSetStore } from '@/lib/archive/port';
import { HealthImagingImageSetStore } from '@/lib/storage/healthimaging-image-set-store';
import { seedImageSets } from '@/lib/storage/local-image-set-layout';
import { LocalImageSetStore } from '@/lib/storage/local-image-set-store';
import { AwsReplay, jsonFixture, type ReplayResponse } from '@/test/support/aws-replay';

// The image-set port: the HealthImaging adapter against recorded responses in the shapes the
// service documents (REST-JSON, x-amzn-errortype), and the local adapter with the same semantics.
const DATASTORE = 'bbc4f3cccbae4095a34170fddc19b13d';
const IMAGE_SET = '18f88ac7870584f58d56256646b4d92b';
const STUDY = '1.2.840.113619.2.408.3.284716352.20181031.44713';
const ref = { datastoreId: DATASTORE, imageSetId: IMAGE_SET };

const ok = (name: string): ReplayResponse => ({ status: 200, headers: { 'content-type': 'application/json' }, body: jsonFixture(`medical-imaging/${name}`) });
const error = (status: number, type: string, name: string): ReplayResponse => ({
  status,
  headers: { 'content-type': 'application/json', 'x-amzn-errortype': type },
  body: jsonFixture(`medical-imaging/${name}`),
});

async function rejection(promise: Promise<unknown>): Promise<ImageSetError> {
  const outcome = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(outcome instanceof ImageSetError)) throw new Error(`expected an ImageSetError, got ${String(outcome)}`);
  return outcome;
}

describe('HealthImaging image sets (recorded responses)', () => {
  let replay: AwsReplay;
  const store = (attempts = 3) => new HealthImagingImageSetStore(replay.medicalImagingClient(), { retry: { attempts, baseMs: 1, maxMs: 2 } });

  beforeAll(async () => {
    replay = await AwsReplay.start();
  });
  afterAll(async () => {
    await replay.close();
  });
  beforeEach(() => replay.reset());
  afterEach(() => {
    expect(replay.unexpected.map((r) => r.operation)).toEqual([]);
  });

  it('reads an image set with GetImageSet: its latest version and state', async () => {
    replay.on('medical-imaging:GetImageSet', ok('get-image-set.json'));
    const info = await store().get(ref);
    expect(info).toMatchObject({ datastoreId: DATASTORE, imageSetId: IMAGE_SET, versionId: '1', state: 'ACTIVE', workflowStatus: 'CREATED' });
    expect(info.createdAt?.toISOString()).toBe('2023-10-31T22:03:43.461Z');
    const [sent] = replay.requests('medical-imaging:GetImageSet');
    expect(sent).toMatchObject({ method: 'POST', path: `/datastore/${DATASTORE}/imageSet/${IMAGE_SET}/getImageSet` });
  });

  it('treats a DELETED image set and ResourceNotFoundException alike: not found', async () => {
    replay.on('medical-imaging:GetImageSet', ok('get-image-set-deleted.json'), error(404, 'ResourceNotFoundException', 'error-not-found.json'));
    expect(await rejection(store().get(ref))).toMatchObject({ code: 'not-found', serviceCode: 'DELETED' });
    expect(await rejection(store().get(ref))).toMatchObject({ code: 'not-found', serviceCode: 'ResourceNotFoundException' });
  });

  it('deletes with DeleteImageSet and reports the asynchronous state HealthImaging answers', async () => {
    replay.on('medical-imaging:DeleteImageSet', ok('delete-image-set.json'));
    expect(await store().delete(ref)).toEqual({ ...ref, state: 'LOCKED', workflowStatus: 'DELETING' });
    expect(replay.requests('medical-imaging:DeleteImageSet')[0]!.path).toBe(`/datastore/${DATASTORE}/imageSet/${IMAGE_SET}/deleteImageSet`);
  });

  it("finds a study's image sets with SearchImageSets on its UID, page by page", async () => {
    replay.on('medical-imaging:SearchImageSets', ok('search-image-sets-page-1.json'), ok('search-image-sets-page-2.json'));
    const found = await store().findByStudy(DATASTORE, STUDY);
    expect(found).toEqual([
      { datastoreId: DATASTORE, imageSetId: '02e7ac98e5b8a0d3f1b5a5f6c7a8d9e0', versionId: '3', studyInstanceUid: STUDY, isPrimary: false },
      { datastoreId: DATASTORE, imageSetId: IMAGE_SET, versionId: '1', studyInstanceUid: STUDY, isPrimary: true },
    ]);
    const [first, second] = replay.requests('medical-imaging:SearchImageSets');
    expect(first!.path).toBe(`/datastore/${DATASTORE}/searchImageSets`);
    expect(first!.query).toMatchObject({ maxResults: '50' });
    // the search criteria are the request's whole body (the model's httpPayload)
    expect(JSON.parse(first!.body)).toEqual({ filters: [{ operator: 'EQUAL', values: [{ DICOMStudyInstanceUID: STUDY }] }] });
    expect(second!.query).toMatchObject({ nextToken: 'AYADeEX0bC8t3f4qRxQ8Y7nS0i5wYQ' });
  });

  it('retries ThrottlingException (429) with back-off and returns the answer that follows', async () => {
    replay.on('medical-imaging:DeleteImageSet', error(429, 'ThrottlingException', 'error-throttling.json'), error(429, 'ThrottlingException', 'error-throttling.json'), ok('delete-image-set.json'));
    expect((await store().delete(ref)).workflowStatus).toBe('DELETING');
    expect(replay.requests('medical-imaging:DeleteImageSet')).toHaveLength(3);
  });

  it('gives up after the last attempt with a throttled error naming the operation', async () => {
    replay.on('medical-imaging:DeleteImageSet', error(429, 'ThrottlingException', 'error-throttling.json'));
    const e = await rejection(store(2).delete(ref));
    expect(e).toMatchObject({ code: 'throttled', serviceCode: 'ThrottlingException' });
    expect(e.message).toMatch(/DeleteImageSet.*ThrottlingException.*2 attempts/);
  });

  it('maps ConflictException, AccessDeniedException and ResourceNotFoundException without retrying them', async () => {
    replay.on('medical-imaging:DeleteImageSet', error(409, 'ConflictException', 'error-conflict.json'), error(403, 'AccessDeniedException', 'error-access-denied.json'), error(404, 'ResourceNotFoundException', 'error-not-found.json'));
    expect(await rejection(store().delete(ref))).toMatchObject({ code: 'conflict', serviceCode: 'ConflictException' });
    expect(await rejection(store().delete(ref))).toMatchObject({ code: 'denied', serviceCode: 'AccessDeniedException' });
    expect(await rejection(store().delete(ref))).toMatchObject({ code: 'not-found' });
    expect(replay.requests('medical-imaging:DeleteImageSet')).toHaveLength(3);
  });
});

describe('local image sets (the same semantics)', () => {
  let root: string;
  let store: ImageSetStore;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-image-sets-'));
    seedImageSets(root, [
      { datastoreId: DATASTORE, imageSetId: IMAGE_SET, versionId: '1', state: 'ACTIVE', workflowStatus: 'CREATED', createdAt: '2023-10-31T22:03:43.461Z', updatedAt: '2023-10-31T22:03:43.461Z', studyInstanceUid: STUDY, isPrimary: true },
      { datastoreId: DATASTORE, imageSetId: '02e7ac98e5b8a0d3f1b5a5f6c7a8d9e0', versionId: '3', state: 'ACTIVE', workflowStatus: 'UPDATED', createdAt: '2023-10-31T22:06:52.004Z', updatedAt: '2023-12-18T14:52:30.733Z', studyInstanceUid: STUDY, isPrimary: false },
    ]);
    store = new LocalImageSetStore(root);
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('reads, finds by study, deletes (LOCKED / DELETING) and then answers not found', async () => {
    expect(await store.get(ref)).toMatchObject({ versionId: '1', state: 'ACTIVE' });
    expect((await store.findByStudy(DATASTORE, STUDY)).map((s) => [s.imageSetId, s.versionId])).toEqual([
      ['02e7ac98e5b8a0d3f1b5a5f6c7a8d9e0', '3'],
      [IMAGE_SET, '1'],
    ]);
    expect(await store.delete(ref)).toEqual({ ...ref, state: 'LOCKED', workflowStatus: 'DELETING' });
    expect(await rejection(store.get(ref))).toMatchObject({ code: 'not-found' });
    expect(await rejection(store.delete(ref))).toMatchObject({ code: 'not-found' });
    expect((await store.findByStudy(DATASTORE, STUDY)).map((s) => s.imageSetId)).toEqual(['02e7ac98e5b8a0d3f1b5a5f6c7a8d9e0']);
    expect(await store.findByStudy(DATASTORE, '1.2.3')).toEqual([]);
  });

  it('refuses ids that are not HealthImaging ids, as the service does', async () => {
    expect(await rejection(store.get({ datastoreId: DATASTORE, imageSetId: '../etc' }))).toMatchObject({ code: 'invalid' });
  });
});
