// The object-store port's contract: what any adapter must do, run against an adapter opened with
// the buckets below and an injected clock.
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ChecksumMismatchError,
  ObjectLockedError,
  ObjectNotFoundError,
  ObjectStoreError,
  allObjects,
  allVersions,
  sha256Base64,
  type ObjectStore,
  type Retention,
} from '@/lib/storage/object-store';

/** Object Lock, no default retention (signed evidence). */
export const EVIDENCE = 'custos-evidence';
/** Object Lock with a default COMPLIANCE retention of 30 days (journal checkpoints). */
export const CHECKPOINTS = 'custos-checkpoints';
/** Versioned, without Object Lock. */
export const SCRATCH = 'custos-scratch';

export const CONTRACT_BUCKETS = {
  [EVIDENCE]: { objectLock: true },
  [CHECKPOINTS]: { objectLock: true, defaultRetention: { mode: 'COMPLIANCE' as const, days: 30 } },
};

export const DAY = 86_400_000;

export type Clock = { now: () => Date; advance(ms: number): void };

export function makeClock(start: string): Clock {
  let at = new Date(start).getTime();
  return { now: () => new Date(at), advance: (ms) => void (at += ms) };
}

export type OpenStore = (now: () => Date) => Promise<{ store: ObjectStore; close(): Promise<void> }>;

const md5 = (data: Uint8Array | string) => createHash('md5').update(data).digest('hex');

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

async function* chunked(total: number, size: number): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < total; offset += size) {
    yield Buffer.alloc(Math.min(size, total - offset), offset / size);
  }
}

export function describeObjectStoreContract(name: string, open: OpenStore): void {
  describe(`object-store contract (${name})`, () => {
    let store: ObjectStore;
    let clock: Clock;
    let close: () => Promise<void>;

    beforeEach(async () => {
      clock = makeClock('2030-01-01T00:00:00.000Z');
      ({ store, close } = await open(clock.now));
    });
    afterEach(async () => close());

    const later = (ms: number) => new Date(clock.now().getTime() + ms);
    const versionIds = async (bucket: string, prefix: string) => (await store.listVersions({ bucket, prefix })).versions.map((v) => v.versionId);

    it('stores a body with its ETag, SHA-256, size, storage class, content type and metadata', async () => {
      const body = Buffer.from('%PDF-1.7 evidence for run 1');
      const put = await store.put({
        bucket: SCRATCH,
        key: 'evidence/run-1.pdf',
        body,
        contentType: 'application/pdf',
        metadata: { 'Run-Id': 'r-1' },
        storageClass: 'STANDARD_IA',
      });
      expect(put).toMatchObject({ bucket: SCRATCH, key: 'evidence/run-1.pdf', etag: md5(body), checksumSha256: sha256Base64(body) });
      expect(put.versionId).toEqual(expect.any(String));

      const got = await store.get({ bucket: SCRATCH, key: 'evidence/run-1.pdf' });
      expect(Buffer.from(got.body)).toEqual(body);
      const { body: _body, ...info } = got;
      expect(info).toEqual({
        bucket: SCRATCH,
        key: 'evidence/run-1.pdf',
        versionId: put.versionId,
        size: body.length,
        etag: md5(body),
        lastModified: clock.now(),
        storageClass: 'STANDARD_IA',
        contentType: 'application/pdf',
        metadata: { 'run-id': 'r-1' },
        checksumSha256: sha256Base64(body),
        retention: null,
        legalHold: false,
      });
      expect(await store.head({ bucket: SCRATCH, key: 'evidence/run-1.pdf' })).toEqual(info);
    });

    it('takes text and streamed bodies, and streams a body back', async () => {
      await store.put({ bucket: SCRATCH, key: 'notes.txt', body: 'größe' });
      expect(Buffer.from((await store.get({ bucket: SCRATCH, key: 'notes.txt' })).body).toString('utf8')).toBe('größe');

      const total = 3 * 65_536 + 17;
      const expected = await collect(chunked(total, 65_536));
      await store.put({ bucket: SCRATCH, key: 'large/study.dcm', body: { stream: chunked(total, 65_536), contentLength: total } });
      const streamed = await store.stream({ bucket: SCRATCH, key: 'large/study.dcm' });
      expect(streamed.size).toBe(total);
      expect(await collect(streamed.body)).toEqual(expected);
      expect(streamed.checksumSha256).toBe(sha256Base64(expected));
    });

    it('makes a new version on every put and reads any version by its id', async () => {
      const first = await store.put({ bucket: SCRATCH, key: 'checkpoint.json', body: '{"n":1}' });
      const second = await store.put({ bucket: SCRATCH, key: 'checkpoint.json', body: '{"n":2}' });
      expect(second.versionId).not.toBe(first.versionId);
      const text = async (versionId?: string) => Buffer.from((await store.get({ bucket: SCRATCH, key: 'checkpoint.json', versionId })).body).toString();
      expect(await text()).toBe('{"n":2}');
      expect(await text(first.versionId)).toBe('{"n":1}');
      expect((await store.head({ bucket: SCRATCH, key: 'checkpoint.json', versionId: first.versionId })).size).toBe(7);
      const { versions } = await store.listVersions({ bucket: SCRATCH, prefix: 'checkpoint.json' });
      expect(versions.map((v) => [v.versionId, v.isLatest, v.isDeleteMarker])).toEqual([
        [second.versionId, true, false],
        [first.versionId, false, false],
      ]);
    });

    it('adds a delete marker for a delete without a version id; the versions stay and removing the marker restores the object', async () => {
      const first = await store.put({ bucket: SCRATCH, key: 'a.txt', body: 'one' });
      const second = await store.put({ bucket: SCRATCH, key: 'a.txt', body: 'two' });
      const deleted = await store.delete({ bucket: SCRATCH, key: 'a.txt' });
      expect(deleted).toEqual({ key: 'a.txt', versionId: null, deleteMarker: true, deleteMarkerVersionId: expect.any(String) });
      const marker = deleted.deleteMarkerVersionId!;

      const gone = await rejection(store.get({ bucket: SCRATCH, key: 'a.txt' }));
      expect(gone).toBeInstanceOf(ObjectNotFoundError);
      expect(gone).toMatchObject({ code: 'not-found', deleteMarker: true });
      expect(await rejection(store.head({ bucket: SCRATCH, key: 'a.txt', versionId: marker }))).toMatchObject({ deleteMarker: true });
      expect(Buffer.from((await store.get({ bucket: SCRATCH, key: 'a.txt', versionId: first.versionId })).body).toString()).toBe('one');

      const { versions } = await store.listVersions({ bucket: SCRATCH });
      expect(versions.map((v) => [v.versionId, v.isLatest, v.isDeleteMarker])).toEqual([
        [marker, true, true],
        [second.versionId, false, false],
        [first.versionId, false, false],
      ]);
      expect((await store.listObjects({ bucket: SCRATCH })).objects).toEqual([]);

      expect(await store.delete({ bucket: SCRATCH, key: 'a.txt', versionId: marker })).toEqual({
        key: 'a.txt',
        versionId: marker,
        deleteMarker: true,
        deleteMarkerVersionId: marker,
      });
      expect(Buffer.from((await store.get({ bucket: SCRATCH, key: 'a.txt' })).body).toString()).toBe('two');
    });

    it('says a missing key or version does not exist (and is not a delete marker)', async () => {
      const put = await store.put({ bucket: SCRATCH, key: 'present', body: 'x' });
      for (const ref of [{ key: 'absent' }, { key: 'present', versionId: 'Zm9yZ2VkLXZlcnNpb24taWQtMDAwMDAwMDAw' }]) {
        const error = await rejection(store.head({ bucket: SCRATCH, ...ref }));
        expect(error).toBeInstanceOf(ObjectNotFoundError);
        expect(error).toMatchObject({ key: ref.key, deleteMarker: false });
      }
      expect((await store.head({ bucket: SCRATCH, key: 'present' })).versionId).toBe(put.versionId);
    });

    it('refuses to delete a version under COMPLIANCE retention until its retain-until date has passed', async () => {
      const until = later(DAY);
      const put = await store.put({ bucket: EVIDENCE, key: 'evidence/run-7.pdf', body: 'signed', retention: { mode: 'COMPLIANCE', retainUntil: until } });
      const ref = { bucket: EVIDENCE, key: 'evidence/run-7.pdf', versionId: put.versionId };
      expect((await store.head(ref)).retention).toEqual({ mode: 'COMPLIANCE', retainUntil: until });

      const refused = await rejection(store.delete(ref));
      expect(refused).toBeInstanceOf(ObjectLockedError);
      expect(refused).toMatchObject({
        code: 'locked',
        bucket: EVIDENCE,
        key: 'evidence/run-7.pdf',
        versionId: put.versionId,
        reason: 'retention',
        until,
        retention: { mode: 'COMPLIANCE', retainUntil: until },
        action: 'delete',
      });
      expect((refused as Error).message).toContain(until.toISOString());
      expect(await rejection(store.delete(ref, { bypassGovernanceRetention: true }))).toBeInstanceOf(ObjectLockedError);

      // A delete marker hides a locked version without removing it.
      const marker = await store.delete({ bucket: EVIDENCE, key: 'evidence/run-7.pdf' });
      expect(Buffer.from((await store.get(ref)).body).toString()).toBe('signed');
      await store.delete({ bucket: EVIDENCE, key: 'evidence/run-7.pdf', versionId: marker.deleteMarkerVersionId! });

      clock.advance(DAY - 1);
      expect(await rejection(store.delete(ref))).toBeInstanceOf(ObjectLockedError);
      clock.advance(1);
      expect(await store.delete(ref)).toEqual({ key: ref.key, versionId: put.versionId, deleteMarker: false, deleteMarkerVersionId: null });
      expect(await versionIds(EVIDENCE, 'evidence/')).toEqual([]);
    });

    it('reports GOVERNANCE retention as such and lets only the bypass delete through it', async () => {
      const retention: Retention = { mode: 'GOVERNANCE', retainUntil: later(7 * DAY) };
      const put = await store.put({ bucket: EVIDENCE, key: 'drafts/report.pdf', body: 'draft', retention });
      const ref = { bucket: EVIDENCE, key: 'drafts/report.pdf', versionId: put.versionId };
      expect(await store.getRetention(ref)).toEqual(retention);
      expect((await store.head(ref)).retention?.mode).toBe('GOVERNANCE');
      expect(await rejection(store.delete(ref))).toMatchObject({ reason: 'retention', retention });
      expect(await store.delete(ref, { bypassGovernanceRetention: true })).toMatchObject({ versionId: put.versionId, deleteMarker: false });
      expect(await versionIds(EVIDENCE, 'drafts/')).toEqual([]);
    });

    it('refuses to delete a version under legal hold, with or without retention, until the hold is released', async () => {
      const put = await store.put({ bucket: EVIDENCE, key: 'holds/study-9.pdf', body: 'held' });
      const ref = { bucket: EVIDENCE, key: 'holds/study-9.pdf', versionId: put.versionId };
      expect(await store.getLegalHold(ref)).toBe(false);
      await store.putLegalHold(ref, true);
      expect(await store.getLegalHold(ref)).toBe(true);
      expect((await store.head(ref)).legalHold).toBe(true);
      const refused = await rejection(store.delete(ref, { bypassGovernanceRetention: true }));
      expect(refused).toBeInstanceOf(ObjectLockedError);
      expect(refused).toMatchObject({ reason: 'legal-hold', until: null, legalHold: true });
      expect((refused as Error).message).toMatch(/legal hold/);

      await store.putLegalHold(ref, false);
      expect(await store.getLegalHold(ref)).toBe(false);
      await store.delete(ref);

      const heldAtPut = await store.put({
        bucket: EVIDENCE,
        key: 'holds/study-10.pdf',
        body: 'held',
        legalHold: true,
        retention: { mode: 'GOVERNANCE', retainUntil: later(DAY) },
      });
      clock.advance(2 * DAY);
      const stillHeld = await rejection(store.delete({ bucket: EVIDENCE, key: 'holds/study-10.pdf', versionId: heldAtPut.versionId }));
      expect(stillHeld).toMatchObject({ reason: 'legal-hold' });
    });

    it('extends COMPLIANCE retention but never shortens, removes or downgrades it', async () => {
      const original: Retention = { mode: 'COMPLIANCE', retainUntil: later(10 * DAY) };
      const put = await store.put({ bucket: EVIDENCE, key: 'journal/checkpoint-1.json', body: '{}', retention: original });
      const ref = { bucket: EVIDENCE, key: 'journal/checkpoint-1.json', versionId: put.versionId };

      for (const change of [
        { mode: 'COMPLIANCE' as const, retainUntil: later(5 * DAY) },
        { mode: 'GOVERNANCE' as const, retainUntil: later(20 * DAY) },
        null,
      ]) {
        const refused = await rejection(store.putRetention(ref, change, { bypassGovernanceRetention: true }));
        expect(refused).toBeInstanceOf(ObjectLockedError);
        expect(refused).toMatchObject({ reason: 'retention', action: 'change-retention', retention: original });
        expect(await store.getRetention(ref)).toEqual(original);
      }

      const extended: Retention = { mode: 'COMPLIANCE', retainUntil: later(20 * DAY) };
      await store.putRetention(ref, extended);
      expect(await store.getRetention(ref)).toEqual(extended);
      clock.advance(15 * DAY);
      expect(await rejection(store.delete(ref))).toMatchObject({ until: extended.retainUntil });

      clock.advance(5 * DAY);
      const afterExpiry: Retention = { mode: 'GOVERNANCE', retainUntil: later(DAY) };
      await store.putRetention(ref, afterExpiry);
      expect(await store.getRetention(ref)).toEqual(afterExpiry);
    });

    it('shortens or removes GOVERNANCE retention only with the bypass', async () => {
      const put = await store.put({ bucket: EVIDENCE, key: 'gov.txt', body: 'g', retention: { mode: 'GOVERNANCE', retainUntil: later(10 * DAY) } });
      const ref = { bucket: EVIDENCE, key: 'gov.txt', versionId: put.versionId };
      expect(await rejection(store.putRetention(ref, { mode: 'GOVERNANCE', retainUntil: later(DAY) }))).toBeInstanceOf(ObjectLockedError);
      await store.putRetention(ref, { mode: 'GOVERNANCE', retainUntil: later(DAY) }, { bypassGovernanceRetention: true });
      expect((await store.getRetention(ref))?.retainUntil).toEqual(later(DAY));
      await store.putRetention(ref, null, { bypassGovernanceRetention: true });
      expect(await store.getRetention(ref)).toBeNull();
      await store.delete(ref);
    });

    it("applies the bucket's default retention to puts that name none", async () => {
      const put = await store.put({ bucket: CHECKPOINTS, key: 'journal/2030-01-01.json', body: '{"head":"abc"}' });
      const ref = { bucket: CHECKPOINTS, key: 'journal/2030-01-01.json', versionId: put.versionId };
      expect((await store.head(ref)).retention).toEqual({ mode: 'COMPLIANCE', retainUntil: later(30 * DAY) });
      expect(await rejection(store.delete(ref))).toMatchObject({ reason: 'retention' });

      const explicit: Retention = { mode: 'GOVERNANCE', retainUntil: later(DAY) };
      const own = await store.put({ bucket: CHECKPOINTS, key: 'journal/own.json', body: '{}', retention: explicit });
      expect(await store.getRetention({ bucket: CHECKPOINTS, key: 'journal/own.json', versionId: own.versionId })).toEqual(explicit);
    });

    it('refuses Object Lock on a bucket without it, and a retain-until date that is not in the future', async () => {
      const retention: Retention = { mode: 'COMPLIANCE', retainUntil: later(DAY) };
      expect(await rejection(store.put({ bucket: SCRATCH, key: 'x', body: 'x', retention }))).toMatchObject({ code: 'invalid' });
      expect(await rejection(store.put({ bucket: SCRATCH, key: 'x', body: 'x', legalHold: true }))).toMatchObject({ code: 'invalid' });
      expect(await versionIds(SCRATCH, '')).toEqual([]);
      const plain = await store.put({ bucket: SCRATCH, key: 'x', body: 'x' });
      expect(await rejection(store.putLegalHold({ bucket: SCRATCH, key: 'x', versionId: plain.versionId }, true))).toMatchObject({ code: 'invalid' });
      const past = { mode: 'COMPLIANCE' as const, retainUntil: later(-1) };
      expect(await rejection(store.put({ bucket: EVIDENCE, key: 'y', body: 'y', retention: past }))).toMatchObject({ code: 'invalid' });
      expect(await versionIds(EVIDENCE, '')).toEqual([]);
    });

    it('deletes a batch, reporting every refusal and carrying out the rest', async () => {
      const free = await store.put({ bucket: EVIDENCE, key: 'batch/free', body: '1' });
      const locked = await store.put({ bucket: EVIDENCE, key: 'batch/locked', body: '2', retention: { mode: 'COMPLIANCE', retainUntil: later(DAY) } });
      const held = await store.put({ bucket: EVIDENCE, key: 'batch/held', body: '3', legalHold: true });
      await store.put({ bucket: EVIDENCE, key: 'batch/hidden', body: '4' });

      const result = await store.deleteMany(EVIDENCE, [
        { key: 'batch/free', versionId: free.versionId },
        { key: 'batch/locked', versionId: locked.versionId },
        { key: 'batch/held', versionId: held.versionId },
        { key: 'batch/hidden' },
      ]);
      expect(result.deleted).toEqual([
        { key: 'batch/free', versionId: free.versionId, deleteMarker: false, deleteMarkerVersionId: null },
        { key: 'batch/hidden', versionId: null, deleteMarker: true, deleteMarkerVersionId: expect.any(String) },
      ]);
      expect(result.failed.map((f) => [f.key, f.versionId, f.error.code])).toEqual([
        ['batch/locked', locked.versionId, 'locked'],
        ['batch/held', held.versionId, 'locked'],
      ]);
      expect(result.failed[0]!.error).toBeInstanceOf(ObjectLockedError);
      expect(result.failed[1]!.error).toMatchObject({ reason: 'legal-hold' });

      expect((await store.listObjects({ bucket: EVIDENCE, prefix: 'batch/' })).objects.map((o) => o.key)).toEqual(['batch/held', 'batch/locked']);
      expect(await versionIds(EVIDENCE, 'batch/free')).toEqual([]);
    });

    it('lists the latest objects in UTF-8 byte order, page by page, with their sizes', async () => {
      const keys = [
        'studies/1.2.840/series/1/img-001.dcm',
        'studies/1.2.840/series/1/img-002.dcm',
        'studies/1.2.840/series/10/img-001.dcm',
        'studies/1.2.840/series/2/img-001.dcm',
        'studies/1.2.840',
        'studies/1.2.840-b/x',
        'studies/1.2.840.5/x',
        'studies/1.2.84/x',
        'studies/A',
        'studies/a',
        'studies/é',
        'studies/Z/',
        'studies//double',
        'top',
      ];
      for (const [i, key] of keys.entries()) await store.put({ bucket: SCRATCH, key, body: 'x'.repeat(i + 1) });
      await store.put({ bucket: SCRATCH, key: 'studies/deleted', body: 'x' });
      await store.delete({ bucket: SCRATCH, key: 'studies/deleted' });

      const sorted = [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      const pages: string[][] = [];
      let token: string | undefined;
      do {
        const page = await store.listObjects({ bucket: SCRATCH, maxKeys: 4, continuationToken: token });
        pages.push(page.objects.map((o) => o.key));
        for (const o of page.objects) expect(o.size).toBe(keys.indexOf(o.key) + 1);
        token = page.nextContinuationToken ?? undefined;
      } while (token);
      expect(pages.map((p) => p.length)).toEqual([4, 4, 4, 2]);
      expect(pages.flat()).toEqual(sorted);

      const listed = [];
      for await (const o of allObjects(store, { bucket: SCRATCH, prefix: 'studies/1.2.84', maxKeys: 2 })) listed.push(o.key);
      expect(listed).toEqual(sorted.filter((k) => k.startsWith('studies/1.2.84')));
      expect(listed).toHaveLength(8);
      expect((await store.listObjects({ bucket: SCRATCH, prefix: 'studies/1.2.840/series/1/' })).objects.map((o) => o.key)).toEqual([
        'studies/1.2.840/series/1/img-001.dcm',
        'studies/1.2.840/series/1/img-002.dcm',
      ]);
      expect((await store.listObjects({ bucket: SCRATCH, prefix: 'nothing/here/' })).objects).toEqual([]);
    });

    it('lists versions and delete markers by key, newest first, resuming in the middle of a key', async () => {
      const a1 = await store.put({ bucket: SCRATCH, key: 'a', body: '1' });
      const a2 = await store.put({ bucket: SCRATCH, key: 'a', body: '22' });
      const a3 = await store.put({ bucket: SCRATCH, key: 'a', body: '333' });
      const marker = (await store.delete({ bucket: SCRATCH, key: 'a' })).deleteMarkerVersionId;
      const b1 = await store.put({ bucket: SCRATCH, key: 'b', body: '4444' });

      const pages: [string, string, boolean, boolean][][] = [];
      let token: string | undefined;
      do {
        const page = await store.listVersions({ bucket: SCRATCH, maxKeys: 2, continuationToken: token });
        pages.push(page.versions.map((v) => [v.key, v.versionId, v.isLatest, v.isDeleteMarker]));
        token = page.nextContinuationToken ?? undefined;
      } while (token);
      expect(pages).toEqual([
        [
          ['a', marker, true, true],
          ['a', a3.versionId, false, false],
        ],
        [
          ['a', a2.versionId, false, false],
          ['a', a1.versionId, false, false],
        ],
        [['b', b1.versionId, true, false]],
      ]);
      const sizes = [];
      for await (const v of allVersions(store, { bucket: SCRATCH })) sizes.push(v.isDeleteMarker ? null : v.size);
      expect(sizes).toEqual([null, 3, 2, 1, 4]);
    });

    it('refuses a body whose SHA-256 does not match, storing nothing', async () => {
      const wrong = sha256Base64('something else');
      const refused = await rejection(store.put({ bucket: EVIDENCE, key: 'evidence/run-8.pdf', body: 'signed bytes', checksumSha256: wrong }));
      expect(refused).toBeInstanceOf(ChecksumMismatchError);
      expect(refused).toMatchObject({ code: 'checksum', key: 'evidence/run-8.pdf', expected: wrong });
      expect(await versionIds(EVIDENCE, 'evidence/')).toEqual([]);

      const right = await store.put({ bucket: EVIDENCE, key: 'evidence/run-8.pdf', body: 'signed bytes', checksumSha256: sha256Base64('signed bytes') });
      expect(right.checksumSha256).toBe(sha256Base64('signed bytes'));
    });

    it('serves several buckets from one instance, each with its own versions', async () => {
      await store.put({ bucket: SCRATCH, key: 'shared/key', body: 'scratch' });
      await store.put({ bucket: EVIDENCE, key: 'shared/key', body: 'evidence' });
      await store.delete({ bucket: SCRATCH, key: 'shared/key' });
      expect(Buffer.from((await store.get({ bucket: EVIDENCE, key: 'shared/key' })).body).toString()).toBe('evidence');
      expect((await store.listObjects({ bucket: SCRATCH })).objects).toEqual([]);
      expect((await store.listObjects({ bucket: EVIDENCE })).objects.map((o) => o.key)).toEqual(['shared/key']);
      expect(await rejection(store.get({ bucket: SCRATCH, key: 'shared/key' }))).toBeInstanceOf(ObjectStoreError);
    });
  });
}
