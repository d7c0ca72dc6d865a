import 'server-only';
import fs from 'node:fs';
import path from 'node:path';
import type { ImageSetStore } from '@/lib/archive/port';
import type { Env } from '@/lib/config/env';
import { archivePaths } from '@/lib/lake/generate/out-dir';
import type { LocalBucketConfig } from '@/lib/storage/local-object-store';
import type { ObjectStore } from '@/lib/storage/object-store';

// Picks the object store from configuration: a local directory under the data dir by default, S3
// (or an S3-compatible endpoint) when CUSTOS_OBJECT_STORE=s3.

export type ObjectStoreOverrides = {
  /** Local buckets' Object Lock settings, added to the archive bucket's. */
  buckets?: Record<string, LocalBucketConfig>;
  /** A generated demo lake keeps its archive bucket beside the logs (lib/lake/generate/archive.ts): it is served from there. */
  lakeDir?: string;
  now?: () => Date;
};

export async function createObjectStore(env: Env, overrides: ObjectStoreOverrides = {}): Promise<ObjectStore> {
  if (env.CUSTOS_OBJECT_STORE === 's3') {
    const [{ S3Client }, { S3ObjectStore }] = await Promise.all([import('@aws-sdk/client-s3'), import('@/lib/storage/s3-object-store')]);
    const endpoint = env.CUSTOS_OBJECT_STORE_ENDPOINT;
    const client = new S3Client({
      ...(env.AWS_REGION ? { region: env.AWS_REGION } : {}),
      // S3-compatible stores and VPC endpoint URLs address buckets by path.
      ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
      maxAttempts: 1,
    });
    return new S3ObjectStore({ client, ...(overrides.now ? { now: overrides.now } : {}) });
  }
  const { LocalObjectStore } = await import('@/lib/storage/local-object-store');
  // The archive keeps Object Lock on every version, as on AWS (its inventory reports COMPLIANCE).
  const buckets = { [env.CUSTOS_ARCHIVE_BUCKET]: { objectLock: true }, ...overrides.buckets };
  const now = overrides.now ? { now: overrides.now } : {};
  const store = new LocalObjectStore({ root: path.join(env.dataDir, 'objects'), buckets, ...now });
  const demoArchive = archivePaths(overrides.lakeDir ?? env.lakeDir).objects;
  if (!fs.existsSync(demoArchive)) return store;
  const { RoutedObjectStore } = await import('@/lib/storage/routed-object-store');
  return new RoutedObjectStore({ [env.CUSTOS_ARCHIVE_BUCKET]: new LocalObjectStore({ root: demoArchive, buckets, ...now }) }, store);
}

/** The image sets of the archive: AWS HealthImaging in production (the Athena engine), else the demo lake's local store. */
export async function createImageSetStore(env: Env, overrides: { lakeDir?: string } = {}): Promise<ImageSetStore> {
  if (env.CUSTOS_ENGINE === 'athena') {
    const [{ MedicalImagingClient }, { HealthImagingImageSetStore }] = await Promise.all([
      import('@aws-sdk/client-medical-imaging'),
      import('@/lib/storage/healthimaging-image-set-store'),
    ]);
    return new HealthImagingImageSetStore(new MedicalImagingClient({ ...(env.AWS_REGION ? { region: env.AWS_REGION } : {}), maxAttempts: 1 }));
  }
  const { LocalImageSetStore } = await import('@/lib/storage/local-image-set-store');
  return new LocalImageSetStore(archivePaths(overrides.lakeDir ?? env.lakeDir).imageSets);
}
