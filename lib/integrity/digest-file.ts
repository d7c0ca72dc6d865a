// Reading CloudTrail digest and log objects (aws-formats.md §7): the SHA-256 of the uncompressed
// content, the digest JSON, and the SHA256withRSA signature over the §7.3 signing string.
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { z } from 'zod';
import type { ObjectMetadata, StoredObject, TrailPublicKey } from './port';

const nullableText = z.string().nullable().optional().transform((v) => v ?? null);

const LogFileEntry = z.object({
  s3Bucket: z.string(),
  s3Object: z.string(),
  hashValue: z.string(),
  hashAlgorithm: z.string().optional(),
  newestEventTime: nullableText,
  oldestEventTime: nullableText,
});

const DigestJson = z.object({
  awsAccountId: z.string(),
  digestStartTime: z.string(),
  digestEndTime: z.string(),
  digestS3Bucket: z.string(),
  digestS3Object: z.string(),
  digestPublicKeyFingerprint: z.string(),
  digestSignatureAlgorithm: z.string().optional(),
  previousDigestS3Bucket: nullableText,
  previousDigestS3Object: nullableText,
  previousDigestHashValue: nullableText,
  previousDigestSignature: nullableText,
  logFiles: z.array(LogFileEntry),
});

export type DigestJson = z.infer<typeof DigestJson>;
export type LogFileEntry = z.infer<typeof LogFileEntry>;

export const SIGNATURE_ALGORITHM = 'SHA256withRSA';

const GZIP_MAGIC = [0x1f, 0x8b];

async function* prepend(head: Buffer, rest: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield head;
  for (let r = await rest.next(); !r.done; r = await rest.next()) yield r.value;
}

/** Streams an object's content, gunzipped when it is gzip (CloudTrail writes gzip), into `sink`. */
async function inflate(body: AsyncIterable<Uint8Array>, sink: (chunk: Buffer) => void): Promise<void> {
  const it = body[Symbol.asyncIterator]();
  let head = Buffer.alloc(0);
  while (head.length < GZIP_MAGIC.length) {
    const r = await it.next();
    if (r.done) break;
    head = Buffer.concat([head, r.value]);
  }
  if (head.length === 0) return;
  const gzip = head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  const source = Readable.from(prepend(head, it));
  const collect = async (chunks: AsyncIterable<Buffer>) => {
    for await (const chunk of chunks) sink(chunk);
  };
  if (gzip) await pipeline(source, zlib.createGunzip(), collect);
  else await pipeline(source, collect);
}

/** Lowercase hex SHA-256 of the uncompressed content; null when the gzip stream is corrupt. */
export async function contentSha256(object: StoredObject): Promise<string | null> {
  const hash = createHash('sha256');
  try {
    await inflate(object.body, (chunk) => hash.update(chunk));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code?.startsWith('Z_')) return null;
    throw error;
  }
  return hash.digest('hex');
}

export type LoadedDigest = {
  key: string;
  /** SHA-256 of the uncompressed digest file (what the next digest's previousDigestHashValue names). */
  sha256: string | null;
  json: DigestJson | null;
  metadata: ObjectMetadata;
};

/** Reads a digest object whole (digests are small); json is null when it is not a digest. */
export async function loadDigest(key: string, object: StoredObject): Promise<LoadedDigest> {
  const chunks: Buffer[] = [];
  try {
    await inflate(object.body, (chunk) => chunks.push(chunk));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code?.startsWith('Z_')) return { key, sha256: null, json: null, metadata: object.metadata };
    throw error;
  }
  const raw = Buffer.concat(chunks);
  const sha256 = createHash('sha256').update(raw).digest('hex');
  let json: DigestJson | null = null;
  try {
    const parsed = DigestJson.safeParse(JSON.parse(raw.toString('utf8')));
    if (parsed.success) json = parsed.data;
  } catch {
    json = null;
  }
  return { key, sha256, json, metadata: object.metadata };
}

/** The §7.3 data signing string. */
export function signingString(json: DigestJson, sha256: string): string {
  return `${json.digestEndTime}\n${json.digestS3Bucket}/${json.digestS3Object}\n${sha256}\n${json.previousDigestSignature ?? 'null'}`;
}

const keyObjects = new WeakMap<TrailPublicKey, KeyObject>();

function keyObject(key: TrailPublicKey): KeyObject {
  let k = keyObjects.get(key);
  if (!k) keyObjects.set(key, (k = createPublicKey({ key: Buffer.from(key.der), format: 'der', type: 'pkcs1' })));
  return k;
}

/** Verifies the digest's S3-metadata signature (hex) with the public key. */
export function signatureVerifies(digest: LoadedDigest & { json: DigestJson; sha256: string }, key: TrailPublicKey): boolean {
  const hex = digest.metadata.signature ?? '';
  if (!/^(?:[0-9a-f]{2})+$/i.test(hex)) return false;
  try {
    return verify('sha256', Buffer.from(signingString(digest.json, digest.sha256), 'utf8'), keyObject(key), Buffer.from(hex, 'hex'));
  } catch {
    return false;
  }
}
