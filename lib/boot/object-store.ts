import 'server-only';
import path from 'node:path';
import type { Env } from '@/lib/config/env';
import type { LocalBucketConfig } from '@/lib/storage/local-object-store';
import type { ObjectStore } from '@/lib/storage/object-store';

// Picks the object store from configuration: a local directory under the data dir by default, S3
// (or an S3-compatible endpoint) when CUSTOS_OBJECT_STORE=s3.

export type ObjectStoreOverrides = {
  /** Local buckets' Object Lock settings, added to the archive bucket's. */
  buckets?: Record<string, LocalBucketConfig>;
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
  return new LocalObjectStore({
    root: path.join(env.dataDir, 'objects'),
    // The archive keeps Object Lock on every version, as on AWS (its inventory reports COMPLIANCE).
    buckets: { [env.CUSTOS_ARCHIVE_BUCKET]: { objectLock: true }, ...overrides.buckets },
    ...(overrides.now ? { now: overrides.now } : {}),
  });
}
