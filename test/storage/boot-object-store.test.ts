import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createObjectStore } from '@/lib/boot/object-store';
import { ConfigError, parseEnv } from '@/lib/config/env';
import { AwsReplay, jsonFixture } from '@/test/support/aws-replay';

describe('object store settings', () => {
  it('defaults to the local store, takes s3 with an optional http(s) endpoint, and names a bad value', () => {
    expect(parseEnv({}).CUSTOS_OBJECT_STORE).toBe('local');
    expect(parseEnv({}).CUSTOS_OBJECT_STORE_ENDPOINT).toBeUndefined();
    expect(parseEnv({ CUSTOS_OBJECT_STORE: 's3', CUSTOS_OBJECT_STORE_ENDPOINT: ' https://s3.us-east-1.amazonaws.com ' })).toMatchObject({
      CUSTOS_OBJECT_STORE: 's3',
      CUSTOS_OBJECT_STORE_ENDPOINT: 'https://s3.us-east-1.amazonaws.com',
    });
    expect(parseEnv({ CUSTOS_OBJECT_STORE_ENDPOINT: '' }).CUSTOS_OBJECT_STORE_ENDPOINT).toBeUndefined();
    expect(() => parseEnv({ CUSTOS_OBJECT_STORE: 'gcs' })).toThrow(ConfigError);
    expect(() => parseEnv({ CUSTOS_OBJECT_STORE: 'gcs' })).toThrow(/CUSTOS_OBJECT_STORE\b/);
    expect(() => parseEnv({ CUSTOS_OBJECT_STORE_ENDPOINT: 'ftp://files.example' })).toThrow(/CUSTOS_OBJECT_STORE_ENDPOINT/);
  });
});

describe('createObjectStore', () => {
  let dataDir: string;
  let replay: AwsReplay;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-boot-objects-'));
    replay = await AwsReplay.start();
  });
  afterAll(async () => {
    await replay.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    replay.reset();
  });

  it('keeps objects under <data dir>/objects, with Object Lock on the archive bucket', async () => {
    const env = parseEnv({ CUSTOS_DATA_DIR: dataDir, CUSTOS_ARCHIVE_BUCKET: 'custos-test-archive' });
    const store = await createObjectStore(env, { buckets: { 'custos-evidence': { objectLock: true, defaultRetention: { mode: 'COMPLIANCE', days: 7 } } } });
    expect(store.kind).toBe('local');
    const retention = { mode: 'COMPLIANCE' as const, retainUntil: new Date(Date.now() + 86_400_000) };
    const put = await store.put({ bucket: 'custos-test-archive', key: 'studies/1.2.3/a.dcm', body: 'dicom', retention });
    expect(fs.existsSync(path.join(dataDir, 'objects', 'custos-test-archive', 'pstudies', 'p1.2.3', 'ka.dcm', `${put.versionId}.data`))).toBe(true);
    const defaulted = await store.put({ bucket: 'custos-evidence', key: 'x', body: 'x' });
    expect((await store.head({ bucket: 'custos-evidence', key: 'x', versionId: defaulted.versionId })).retention?.mode).toBe('COMPLIANCE');
    expect(await store.put({ bucket: 'custos-other', key: 'k', body: 'x', retention }).catch((e: unknown) => e)).toMatchObject({ code: 'invalid' });
  });

  it('talks to S3 at the configured endpoint, path-style, in the configured Region', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIAIOSFODNN7EXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY');
    replay.on('s3:PutObject', { status: 200, headers: jsonFixture<Record<string, string>>('s3/object-store/put-object.headers.json') });
    const env = parseEnv({ CUSTOS_DATA_DIR: dataDir, CUSTOS_OBJECT_STORE: 's3', CUSTOS_OBJECT_STORE_ENDPOINT: replay.endpoint, AWS_REGION: 'us-west-2' });
    const store = await createObjectStore(env);
    expect(store.kind).toBe('s3');
    const put = await store.put({ bucket: 'custos-evidence-111122223333', key: 'evidence/run.pdf', body: '%PDF' });
    expect(put.versionId).toBe('Fq3bUeXk0x7Sm2QyRr9Lh.AvWcN4tPjD');
    const [sent] = replay.requests('s3:PutObject');
    expect(sent).toMatchObject({ path: '/custos-evidence-111122223333/evidence/run.pdf', bucket: 'custos-evidence-111122223333' });
    expect(sent!.headers.authorization).toContain('/us-west-2/s3/aws4_request');
    expect(fs.existsSync(path.join(dataDir, 'objects', 'custos-evidence-111122223333'))).toBe(false);
  });
});
