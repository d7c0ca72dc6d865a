import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageSetRef, ImageSetStore } from '@/lib/archive/port';
import { deletionItems, deletionRequests } from '@/lib/db/schema/retention';
import { allVersions, type DeleteOptions, type ObjectStore } from '@/lib/storage/object-store';
import { RoutedObjectStore } from '@/lib/storage/routed-object-store';
import { approveDeletionRequest } from '@/lib/retention/approve-deletion-request';
import { createDeletionRequest } from '@/lib/retention/create-deletion-request';
import { DELETION_JOB } from '@/lib/retention/job-kinds';
import { storedManifest, type Manifest } from '@/lib/retention/manifest';
import { resumeDeletionRequest } from '@/lib/retention/resume-deletion-request';
import { testServices, type TestServices } from '../support/services';
import { PASSWORD, at, person, queuedJobs, retentionLake, type Person } from '../retention/support';

// The executor killed mid-way resumes and finishes with an exact account: killed between items,
// and between a delete and its record (the delete happened, the record did not). Every version
// and image set of the manifest is deleted exactly once; nothing outside the manifest is touched;
// versions that appeared after the freeze are reported, never deleted.

type Crash = { when: 'before' | 'after'; onCall: number } | null;

/** The real store, with deletes counted and a crash (a thrown error, as a killed worker leaves things) at the chosen call. */
class CrashingObjects extends RoutedObjectStore {
  calls = 0;
  crash: Crash = null;
  readonly sent: string[] = [];
  constructor(private readonly real: ObjectStore) {
    super({}, real);
  }
  override async deleteMany(bucket: string, objects: { key: string; versionId?: string }[], options?: DeleteOptions) {
    this.calls++;
    if (this.crash?.when === 'before' && this.calls === this.crash.onCall) throw new Error('worker killed before the delete');
    this.sent.push(...objects.map((o) => `${o.key}@${o.versionId}`));
    const result = await this.real.deleteMany(bucket, objects, options);
    if (this.crash?.when === 'after' && this.calls === this.crash.onCall) throw new Error('worker killed after the delete, before its record');
    return result;
  }
}

class CrashingImageSets implements ImageSetStore {
  readonly kind = 'local' as const;
  calls = 0;
  crash: Crash = null;
  readonly sent: string[] = [];
  constructor(private readonly real: ImageSetStore) {}
  get(ref: ImageSetRef) {
    return this.real.get(ref);
  }
  findByStudy(datastoreId: string, uid: string) {
    return this.real.findByStudy(datastoreId, uid);
  }
  async delete(ref: ImageSetRef) {
    this.calls++;
    if (this.crash?.when === 'before' && this.calls === this.crash.onCall) throw new Error('worker killed before the delete');
    this.sent.push(ref.imageSetId);
    const out = await this.real.delete(ref);
    if (this.crash?.when === 'after' && this.calls === this.crash.onCall) throw new Error('worker killed after the delete, before its record');
    return out;
  }
}

describe(`the deletion executor, interrupted and resumed (${process.env.CUSTOS_TEST_DB})`, () => {
  let services: TestServices;
  let lake: Awaited<ReturnType<typeof retentionLake>>;
  let objects: CrashingObjects;
  let imageSets: CrashingImageSets;
  let po: Person;
  let a1: Person;
  let a2: Person;
  let due: string[];
  const today = new Date('2026-11-02T10:00:00Z');
  const bucket = () => services.env.CUSTOS_ARCHIVE_BUCKET;

  const allArchive = async () => {
    const out: string[] = [];
    for await (const v of allVersions(objects, { bucket: bucket(), prefix: 'studies/' })) out.push(`${v.key}@${v.versionId}`);
    return out.sort();
  };
  const approved = async (count: number) => {
    const studies = due.splice(0, count);
    const r = await createDeletionRequest(po, { studies, reason: 'End-of-retention review, executor test' });
    await approveDeletionRequest(a1, { requestId: r.id, manifestSha256: r.manifestSha256, password: PASSWORD });
    await approveDeletionRequest(a2, { requestId: r.id, manifestSha256: r.manifestSha256, password: PASSWORD });
    const [row] = await services.database.db.select().from(deletionRequests).where(eq(deletionRequests.id, r.id));
    return { id: r.id, manifest: storedManifest(row!.manifest) };
  };
  const items = (id: string) => services.database.db.select().from(deletionItems).where(eq(deletionItems.requestId, id)).orderBy(deletionItems.seq);
  const request = async (id: string) => (await services.database.db.select().from(deletionRequests).where(eq(deletionRequests.id, id)))[0]!;
  /** Runs the request's next queued job attempt (a retry waits out its back-off). */
  const attempt = async (id: string) => {
    const jobs = await queuedJobs(services, DELETION_JOB, id);
    const open = jobs.find((j) => j.state === 'queued' || j.state === 'running');
    if (!open) throw new Error('no open job');
    return services.jobs.runNow(open.id);
  };
  const manifestKeys = (m: Manifest) => m.studies.flatMap((s) => s.objects.map((o) => `${o.key}@${o.versionId}`)).sort();

  beforeAll(async () => {
    lake = await retentionLake(47);
    services = await testServices({ lakeDir: lake.lakeDir });
    objects = new CrashingObjects(services.objects);
    imageSets = new CrashingImageSets(services.imageSets);
    services.objects = objects;
    services.imageSets = imageSets;
    po = at(await person(services, 'privacy_officer', 'priya'), today);
    a1 = at(await person(services, 'approver', 'ada'), today);
    a2 = at(await person(services, 'approver', 'ben'), today);
    due = [...lake.truth.retentionDue];
  });
  afterAll(async () => {
    await services?.dispose();
    lake?.dispose();
  });

  it('killed between items (before the second study is sent), resumes and deletes each item exactly once', async () => {
    const { id, manifest } = await approved(3);
    const before = await allArchive();
    objects.sent.length = 0;
    objects.calls = 0;
    objects.crash = { when: 'before', onCall: 2 };
    const first = await attempt(id);
    expect(first.state).toBe('queued');
    const mid = await items(id);
    const firstStudy = manifest.studies[0]!.studyInstanceUid;
    expect(mid.filter((i) => i.studyInstanceUid === firstStudy).every((i) => i.state === 'deleted')).toBe(true);
    expect(mid.filter((i) => i.studyInstanceUid !== firstStudy && i.kind === 'object-version').every((i) => i.state === 'deleting' || i.state === 'pending')).toBe(true);
    expect((await request(id)).state).toBe('executing');

    objects.crash = null;
    const second = await attempt(id);
    expect(second.state).toBe('succeeded');
    expect((await request(id)).state).toBe('completed');
    const done = await items(id);
    expect(done.every((i) => i.state === 'deleted')).toBe(true);
    // each version sent once: the crash happened before the second batch was sent
    expect(objects.sent.sort()).toEqual(manifestKeys(manifest));
    expect(new Set(objects.sent).size).toBe(objects.sent.length);
    // nothing else in the archive was touched
    const removed = new Set(manifestKeys(manifest));
    expect(await allArchive()).toEqual(before.filter((k) => !removed.has(k)));
  });

  it('killed between a delete and its record, settles by looking: no second delete, nothing lost track of', async () => {
    const { id, manifest } = await approved(2);
    const before = await allArchive();
    objects.sent.length = 0;
    objects.calls = 0;
    objects.crash = { when: 'after', onCall: 1 };
    imageSets.sent.length = 0;
    imageSets.calls = 0;
    imageSets.crash = { when: 'after', onCall: 2 };
    expect((await attempt(id)).state).toBe('queued');
    const mid = await items(id);
    const firstStudy = manifest.studies[0]!;
    // the first batch was deleted but recorded only as `deleting`
    expect(mid.filter((i) => i.studyInstanceUid === firstStudy.studyInstanceUid && i.kind === 'object-version').every((i) => i.state === 'deleting')).toBe(true);

    objects.crash = null;
    expect((await attempt(id)).state).toBe('queued');
    // the second image set (second study) was deleted, and the crash came before its record
    const mid2 = await items(id);
    expect(mid2.filter((i) => i.kind === 'image-set').map((i) => i.state)).toEqual(['deleted', 'deleting']);
    imageSets.crash = null;
    expect((await attempt(id)).state).toBe('succeeded');

    const done = await items(id);
    expect(done.every((i) => i.state === 'deleted' && i.attempts === 1)).toBe(true);
    expect(objects.sent.sort()).toEqual(manifestKeys(manifest));
    expect(imageSets.sent).toEqual(manifest.studies.flatMap((s) => s.imageSets.map((i) => i.imageSetId)));
    const removed = new Set(manifestKeys(manifest));
    expect(await allArchive()).toEqual(before.filter((k) => !removed.has(k)));
    expect((await request(id)).execution).toMatchObject({ verified: true, items: { deleted: done.length, gone: 0, failed: 0, pending: 0, deleting: 0 } });
  });

  it('reports, and never deletes, a version written under a study after the manifest was frozen', async () => {
    const { id, manifest } = await approved(1);
    const study = manifest.studies[0]!;
    const late = await objects.put({ bucket: bucket(), key: `${study.s3KeyPrefix}late-arrival.dcm`, body: 'arrived after the freeze' });
    expect((await attempt(id)).state).toBe('succeeded');
    const row = await request(id);
    expect(row.state).toBe('completed');
    expect(row.execution).toMatchObject({ appeared: [{ studyInstanceUid: study.studyInstanceUid, key: late.key, versionId: late.versionId, deleteMarker: false }] });
    expect((await objects.head({ bucket: bucket(), key: late.key, versionId: late.versionId })).versionId).toBe(late.versionId);
  });

  it('stops with an exact account when an item keeps failing, and resumes when asked', async () => {
    const { id, manifest } = await approved(1);
    imageSets.calls = 0;
    imageSets.crash = { when: 'before', onCall: 1 };
    const job = (await queuedJobs(services, DELETION_JOB, id))[0]!;
    await services.database.db.update((await import('@/lib/db/schema')).jobs).set({ maxAttempts: 1 }).where(eq((await import('@/lib/db/schema')).jobs.id, job.id));
    expect((await attempt(id)).state).toBe('failed');
    const row = await request(id);
    expect(row.state).toBe('failed');
    expect(row.stateReason).toMatch(/of \d+ items are gone/);
    const mid = await items(id);
    expect(mid.filter((i) => i.kind === 'object-version').every((i) => i.state === 'deleted')).toBe(true);
    expect(mid.filter((i) => i.kind === 'image-set').map((i) => i.state)).toEqual(['deleting']);

    imageSets.crash = null;
    await resumeDeletionRequest(po, { requestId: id });
    expect((await attempt(id)).state).toBe('succeeded');
    expect((await request(id)).state).toBe('completed');
    expect((await items(id)).every((i) => i.state === 'deleted')).toBe(true);
    await expect(imageSets.get(manifest.studies[0]!.imageSets[0]!)).rejects.toMatchObject({ code: 'not-found' });
  });
});
