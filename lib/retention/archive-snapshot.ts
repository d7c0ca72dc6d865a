import 'server-only';
import { ImageSetError, type ImageSetStore } from '@/lib/archive/port';
import { allVersions, ObjectNotFoundError, type ObjectStore } from '@/lib/storage/object-store';
import type { ManifestImageSet, ManifestObject } from './manifest';
import type { CatalogStudy, InventoryVersion } from './study-facts';

// What the archive holds of a study right now, read from the stores themselves (never from the
// daily inventory): every version and delete marker under the study's prefix with its Object Lock
// state, and every image set HealthImaging has for the study.

export async function objectVersionsOf(
  store: ObjectStore,
  bucket: string,
  prefix: string,
  inventory: readonly InventoryVersion[] = [],
): Promise<ManifestObject[]> {
  const replication = new Map(inventory.map((v) => [`${v.key}\u0000${v.versionId ?? ''}`, v.replicationStatus]));
  const out: ManifestObject[] = [];
  for await (const v of allVersions(store, { bucket, prefix })) {
    const replicationStatus = replication.get(`${v.key}\u0000${v.versionId}`) ?? null;
    if (v.isDeleteMarker) {
      out.push({ bucket, key: v.key, versionId: v.versionId, deleteMarker: true, size: 0, etag: '', storageClass: '', retainUntil: null, legalHold: false, replicationStatus });
      continue;
    }
    let info;
    try {
      info = await store.head({ bucket, key: v.key, versionId: v.versionId });
    } catch (error) {
      // removed between the listing and the look: it is not there to delete
      if (error instanceof ObjectNotFoundError) continue;
      throw error;
    }
    out.push({
      bucket,
      key: v.key,
      versionId: v.versionId,
      deleteMarker: false,
      size: info.size,
      etag: info.etag,
      storageClass: info.storageClass,
      retainUntil: info.retention ? info.retention.retainUntil.toISOString() : null,
      legalHold: info.legalHold,
      replicationStatus,
    });
  }
  return out;
}

/** The study's image sets: those HealthImaging finds for its UID, and the one the catalog names if the search missed it. */
export async function imageSetsOf(store: ImageSetStore, study: Pick<CatalogStudy, 'studyInstanceUid' | 'datastoreId' | 'imageSetId'>): Promise<ManifestImageSet[]> {
  if (!study.datastoreId) return [];
  const found = await store.findByStudy(study.datastoreId, study.studyInstanceUid);
  const out: ManifestImageSet[] = found.map((s) => ({ datastoreId: s.datastoreId, imageSetId: s.imageSetId, versionId: s.versionId }));
  if (study.imageSetId && !out.some((s) => s.imageSetId === study.imageSetId)) {
    try {
      const info = await store.get({ datastoreId: study.datastoreId, imageSetId: study.imageSetId });
      out.push({ datastoreId: info.datastoreId, imageSetId: info.imageSetId, versionId: info.versionId });
    } catch (error) {
      if (!(error instanceof ImageSetError && error.code === 'not-found')) throw error;
    }
  }
  return out;
}

/** Why the live archive forbids deleting these versions now (legal hold, unexpired Object Lock), one reason per kind. */
export function liveLocks(objects: readonly ManifestObject[], now: Date): string[] {
  const held = objects.filter((o) => o.legalHold).length;
  const locked = objects.filter((o) => o.retainUntil !== null && Date.parse(o.retainUntil) > now.getTime());
  const out: string[] = [];
  if (held) out.push(`S3 legal hold on ${held} object version${held === 1 ? '' : 's'} in the archive`);
  if (locked.length) {
    const latest = locked.map((o) => o.retainUntil!).sort().at(-1)!;
    out.push(`S3 Object Lock retains ${locked.length} object version${locked.length === 1 ? '' : 's'} in the archive until ${latest}`);
  }
  return out;
}
