import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { integritySources } from '@/lib/boot/integrity-sources';
import { parseEnv } from '@/lib/config/env';
import { CloudTrailPublicKeys, S3TrailStore } from '@/lib/integrity/aws';
import { LocalTrailStore, RecordedPublicKeys } from '@/lib/integrity/local-lake';

// The composition root picks where integrity is read from; nothing else does.
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-integrity-sources-'));
const lakeDir = path.join(root, 'lake');
fs.mkdirSync(lakeDir);
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('integritySources', () => {
  it('reads the configured lake with the embedded engine', async () => {
    const sources = await integritySources(parseEnv({ CUSTOS_DATA_DIR: root, CUSTOS_LAKE_DIR: lakeDir }));
    expect(sources.store).toBeInstanceOf(LocalTrailStore);
    expect(sources.keys).toBeInstanceOf(RecordedPublicKeys);
    expect(sources.store.bucket).toBeNull();
    sources.close();
  });

  it("reads the trail's bucket and ListPublicKeys on Athena", async () => {
    const env = parseEnv({ CUSTOS_DATA_DIR: root, CUSTOS_ENGINE: 'athena', AWS_REGION: 'us-east-1', CUSTOS_LOG_BUCKET: 'hospital-cloudtrail-logs' });
    const sources = await integritySources(env);
    expect(sources.store).toBeInstanceOf(S3TrailStore);
    expect(sources.keys).toBeInstanceOf(CloudTrailPublicKeys);
    expect(sources.store.bucket).toBe('hospital-cloudtrail-logs');
    sources.close();
  });

  it('reads an explicit lake directory whatever the engine, and refuses a missing one when used', async () => {
    const env = parseEnv({ CUSTOS_DATA_DIR: root, CUSTOS_ENGINE: 'athena', AWS_REGION: 'us-east-1' });
    const sources = await integritySources(env, { lakeDir });
    expect(sources.store).toBeInstanceOf(LocalTrailStore);
    const missing = await integritySources(env, { lakeDir: path.join(root, 'missing') });
    await expect(missing.store.trailOutputs()).rejects.toThrow(/The lake directory .*missing does not exist/);
  });
});
