import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalObjectStore } from '@/lib/storage/local-object-store';
import { ObjectNotFoundError, ObjectStoreError, sha256Base64 } from '@/lib/storage/object-store';
import { CONTRACT_BUCKETS, DAY, EVIDENCE, SCRATCH, describeObjectStoreContract } from './object-store-contract';

const tempRoot = () => fs.mkdtempSync(path.join(os.tmpdir(), 'custos-objects-'));

describeObjectStoreContract('local directory', async (now) => {
  const root = tempRoot();
  return {
    store: new LocalObjectStore({ root: path.join(root, 'objects'), buckets: CONTRACT_BUCKETS, now }),
    close: async () => fs.rmSync(root, { recursive: true, force: true }),
  };
});

/** Every folder and file under `dir`, with its permission bits. */
function modes(dir: string): { path: string; dir: boolean; mode: number }[] {
  const out = [{ path: dir, dir: true, mode: fs.statSync(dir).mode & 0o777 }];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...modes(full));
    else out.push({ path: full, dir: false, mode: fs.statSync(full).mode & 0o777 });
  }
  return out;
}

describe('local object store', () => {
  let root: string;
  let store: LocalObjectStore;

  beforeEach(() => {
    root = tempRoot();
    store = new LocalObjectStore({ root: path.join(root, 'objects'), buckets: CONTRACT_BUCKETS });
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('keeps everything owner-only: folders 0700, files 0600', async () => {
    fs.mkdirSync(store.root, { mode: 0o755 });
    const put = await store.put({ bucket: EVIDENCE, key: 'evidence/2030/run-1.pdf', body: 'pdf', retention: { mode: 'COMPLIANCE', retainUntil: new Date(Date.now() + DAY) } });
    await store.putLegalHold({ bucket: EVIDENCE, key: 'evidence/2030/run-1.pdf', versionId: put.versionId }, true);
    await store.delete({ bucket: SCRATCH, key: 'marker-only' });

    const all = modes(store.root);
    const files = all.filter((e) => !e.dir);
    expect(files.map((f) => path.basename(f.path)).sort()).toEqual(
      [`${put.versionId}.data`, `${put.versionId}.lock.json`, '000000000001.json', '000000000001.json'].sort(),
    );
    expect(all.filter((e) => e.dir && e.mode !== 0o700)).toEqual([]);
    expect(files.filter((e) => e.mode !== 0o600)).toEqual([]);
  });

  it('gives every version an unguessable 32-character URL-safe id', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 20; i++) ids.add((await store.put({ bucket: SCRATCH, key: 'k', body: String(i) })).versionId);
    expect(ids.size).toBe(20);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  it('commits concurrent puts to one key as distinct versions, in the order they were committed', async () => {
    const puts = await Promise.all(Array.from({ length: 12 }, (_, i) => store.put({ bucket: SCRATCH, key: 'busy', body: `v${i}` })));
    const listed = (await store.listVersions({ bucket: SCRATCH, prefix: 'busy' })).versions;
    expect(listed).toHaveLength(12);
    expect(new Set(listed.map((v) => v.versionId))).toEqual(new Set(puts.map((p) => p.versionId)));
    expect(listed.filter((v) => v.isLatest)).toHaveLength(1);
    const latest = await store.get({ bucket: SCRATCH, key: 'busy' });
    expect(latest.versionId).toBe(listed[0]!.versionId);
  });

  it('leaves no partial version visible when the writing process dies mid-put', async () => {
    const dir = store.root;
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=react-server', 'test/storage/support/crash-mid-put.ts', dir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('writing') && resolve());
        child.once('exit', (code) => reject(new Error(`writer exited early (${code})`)));
      });
    } finally {
      child.kill('SIGKILL');
    }
    await new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(null) : child.once('exit', resolve)));

    // The half-written body is on disk, but only as a temporary file.
    const temps = fs.readdirSync(path.join(dir, '.tmp'));
    expect(temps).toHaveLength(1);
    expect(fs.statSync(path.join(dir, '.tmp', temps[0]!)).size).toBe(65_536);

    const reopened = new LocalObjectStore({ root: dir, buckets: CONTRACT_BUCKETS });
    const ref = { bucket: EVIDENCE, key: 'evidence/run-7.pdf' };
    const missing = await reopened.head(ref).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ObjectNotFoundError);
    expect(missing).toMatchObject({ deleteMarker: false });
    expect((await reopened.listVersions({ bucket: EVIDENCE })).versions).toEqual([]);
    expect((await reopened.listObjects({ bucket: EVIDENCE })).objects).toEqual([]);

    const put = await reopened.put({ ...ref, body: 'whole' });
    expect((await reopened.listVersions({ bucket: EVIDENCE })).versions.map((v) => v.versionId)).toEqual([put.versionId]);
  });

  it('sweeps temporary files older than a day, left by crashed puts, on first write', async () => {
    const tmp = path.join(store.root, '.tmp');
    fs.mkdirSync(tmp, { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(tmp, 'stale.tmp'), 'half a body');
    fs.utimesSync(path.join(tmp, 'stale.tmp'), new Date(Date.now() - 2 * DAY), new Date(Date.now() - 2 * DAY));
    fs.writeFileSync(path.join(tmp, 'recent.tmp'), 'a put in progress');
    await store.put({ bucket: SCRATCH, key: 'k', body: 'x' });
    expect(fs.readdirSync(tmp)).toEqual(['recent.tmp']);
  });

  it('refuses to hand out a body that no longer matches its SHA-256', async () => {
    const put = await store.put({ bucket: EVIDENCE, key: 'evidence/run-2.pdf', body: 'original bytes' });
    const data = path.join(store.root, EVIDENCE, 'pevidence', 'krun-2.pdf', `${put.versionId}.data`);
    fs.writeFileSync(data, 'tampered bytes');
    const error = await store.get({ bucket: EVIDENCE, key: 'evidence/run-2.pdf' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ObjectStoreError);
    expect(error).toMatchObject({ code: 'corrupt', target: { versionId: put.versionId } });
    expect((await store.head({ bucket: EVIDENCE, key: 'evidence/run-2.pdf' })).checksumSha256).toBe(sha256Base64('original bytes'));
  });

  it('names folders safely on case-insensitive file systems and removes folders a delete empties', async () => {
    const put = await store.put({ bucket: SCRATCH, key: 'Studies/../A b/Ünïcode', body: 'x' });
    const keyDir = path.join(store.root, SCRATCH, 'p%53tudies', 'p..', 'p%41%20b', 'k%C3%9Cn%C3%AFcode');
    expect(fs.readdirSync(keyDir)).toContain(`${put.versionId}.data`);
    expect((await store.listObjects({ bucket: SCRATCH, prefix: 'Studies/../' })).objects.map((o) => o.key)).toEqual(['Studies/../A b/Ünïcode']);
    await store.delete({ bucket: SCRATCH, key: 'Studies/../A b/Ünïcode', versionId: put.versionId });
    expect(fs.readdirSync(path.join(store.root, SCRATCH))).toEqual([]);
  });

  it('refuses bucket names, keys and continuation tokens it cannot honour', async () => {
    for (const bucket of ['', 'UPPER', 'a', 'has_underscore', '../escape']) {
      expect(await store.put({ bucket, key: 'k', body: 'x' }).catch((e: unknown) => e)).toMatchObject({ code: 'invalid' });
    }
    for (const key of ['', 'x'.repeat(1025), 'lone \ud800 surrogate']) {
      expect(await store.put({ bucket: SCRATCH, key, body: 'x' }).catch((e: unknown) => e)).toMatchObject({ code: 'invalid' });
    }
    expect(await store.listObjects({ bucket: SCRATCH, continuationToken: 'not-a-token' }).catch((e: unknown) => e)).toMatchObject({ code: 'invalid' });
    expect(await store.put({ bucket: SCRATCH, key: 'short', body: { stream: (async function* () { yield Buffer.from('abc'); })(), contentLength: 10 } }).catch((e: unknown) => e)).toMatchObject({
      code: 'invalid',
    });
    expect((await store.listVersions({ bucket: SCRATCH })).versions).toEqual([]);
  });

  it('keeps versions, locks and order across instances over the same directory', async () => {
    const until = new Date(Date.now() + DAY);
    const first = await store.put({ bucket: EVIDENCE, key: 'k', body: '1', retention: { mode: 'COMPLIANCE', retainUntil: until } });
    const second = await store.put({ bucket: EVIDENCE, key: 'k', body: '2', legalHold: true });
    const again = new LocalObjectStore({ root: store.root, buckets: CONTRACT_BUCKETS });
    expect((await again.listVersions({ bucket: EVIDENCE })).versions.map((v) => v.versionId)).toEqual([second.versionId, first.versionId]);
    expect(await again.getRetention({ bucket: EVIDENCE, key: 'k', versionId: first.versionId })).toEqual({ mode: 'COMPLIANCE', retainUntil: until });
    expect(await again.getLegalHold({ bucket: EVIDENCE, key: 'k', versionId: second.versionId })).toBe(true);
  });
});
