// The demo archive behind the logs: every object version of the archive bucket (the version ids,
// sizes, ETags, storage classes and Object Lock the S3 Inventory reports, with a small placeholder
// body each) in the local object store's layout, and one HealthImaging image set per study of the
// catalog in the local image-set store's layout. Versions written on the window's last day are in
// the archive but not yet in an inventory report, as on AWS.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { seedImageSets, type ImageSetRecord } from '@/lib/storage/local-image-set-layout';
import { seedKeyVersions, type SeedVersion } from '@/lib/storage/local-object-layout';
import { storageClassAt } from './lifecycle';
import { archivePaths } from './out-dir';
import { dayStart } from './time';
import { ARCHIVE_BUCKET, type World } from './world';

function placeholder(key: string, versionId: string, size: number): Buffer {
  return Buffer.from(`Custos demo archive placeholder (no image data).\nkey: ${key}\nversion: ${versionId}\nsize of the object it stands for: ${size} bytes\n`);
}

export async function writeArchive(world: World, outDir: string): Promise<{ files: number; bytes: number; versions: number; imageSets: number }> {
  const { objects, imageSets } = archivePaths(outDir);
  await fs.mkdir(objects, { recursive: true, mode: 0o700 });
  await fs.mkdir(imageSets, { recursive: true, mode: 0o700 });
  const reportAt = dayStart(world.to);
  let files = 0;
  let versions = 0;
  const sorted = [...world.objects].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const o of sorted) {
    const study = world.studies[o.study]!;
    const lock = { retention: { mode: 'COMPLIANCE' as const, retainUntil: new Date(dayStart(study.retainUntil)).toISOString() }, legalHold: study.legalHold };
    const seeds: SeedVersion[] = o.versions.map((v) => {
      const body = v.deleteMarker ? null : placeholder(o.key, v.versionId, v.size);
      files += body ? 3 : 1;
      return {
        versionId: v.versionId,
        deleteMarker: v.deleteMarker,
        lastModified: new Date(v.lastModified).toISOString(),
        size: v.size,
        etag: v.etag,
        sha256: body ? createHash('sha256').update(body).digest('base64') : '',
        storageClass: v.deleteMarker ? '' : storageClassAt(v, reportAt),
        contentType: v.deleteMarker ? null : 'application/dicom',
        metadata: {},
        body,
        lock: v.deleteMarker ? null : lock,
      };
    });
    versions += seeds.length;
    seedKeyVersions(objects, ARCHIVE_BUCKET, o.key, seeds);
  }
  const records: ImageSetRecord[] = world.studies.map((s) => ({
    datastoreId: world.datastoreIds['us-east-1'],
    imageSetId: s.imageSetId,
    versionId: '1',
    state: 'ACTIVE',
    workflowStatus: 'CREATED',
    createdAt: new Date(s.ingestAt).toISOString(),
    updatedAt: new Date(s.ingestAt).toISOString(),
    studyInstanceUid: s.uid,
    isPrimary: true,
  }));
  seedImageSets(imageSets, records);
  files += records.length + new Set(world.studies.map((s) => s.uid)).size;
  // the bodies and the store's own records of versions, locks and image sets, as written
  const bytes = (await dirBytes(objects)) + (await dirBytes(imageSets));
  return { files, bytes, versions, imageSets: records.length };
}

async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  for (const e of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) total += (await fs.stat(path.join(e.parentPath, e.name))).size;
  }
  return total;
}
