import 'server-only';
import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  GetObjectLegalHoldCommand,
  GetObjectRetentionCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutObjectCommand,
  PutObjectLegalHoldCommand,
  PutObjectRetentionCommand,
  type GetObjectCommandOutput,
  type HeadObjectCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  ChecksumMismatchError,
  ObjectLockedError,
  ObjectNotFoundError,
  ObjectStoreError,
  activeLock,
  sha256Base64,
  type DeletedObject,
  type DeleteManyResult,
  type DeleteOptions,
  type ListQuery,
  type ObjectContent,
  type ObjectInfo,
  type ObjectPage,
  type ObjectRef,
  type ObjectStore,
  type ObjectStream,
  type PutObjectInput,
  type PutObjectResult,
  type Retention,
  type VersionPage,
} from './object-store';

export type S3RetryPolicy = { attempts: number; baseMs: number; maxMs: number };

export type S3ObjectStoreConfig = {
  /** Built with maxAttempts: 1; the adapter's own retries are the only ones. */
  client: S3Client;
  retry?: S3RetryPolicy;
  now?: () => Date;
};

export const DEFAULT_S3_RETRY: S3RetryPolicy = { attempts: 4, baseMs: 100, maxMs: 2_000 };

const BATCH = 1000;
const THROTTLING = new Set(['SlowDown', 'Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestThrottled', 'RequestLimitExceeded']);
const TRANSIENT = new Set(['InternalError', 'ServiceUnavailable', 'RequestTimeout', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'TimeoutError']);
const BAD_DIGEST = new Set(['BadDigest', 'InvalidDigest', 'XAmzContentSHA256Mismatch']);
const INVALID = new Set([
  'InvalidRequest',
  'InvalidArgument',
  'InvalidObjectState',
  'MetadataTooLarge',
  'KeyTooLongError',
  'InvalidStorageClass',
  'MalformedXML',
  'InvalidBucketName',
]);
// S3 answers AccessDenied "… because object protected by object lock."; S3-compatible stores say "WORM protected".
const LOCKED = /protected by object lock|WORM protected/i;

type AwsError = {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string> };
};

const shape = (error: unknown): AwsError => (typeof error === 'object' && error !== null ? (error as AwsError) : {});
/** S3's error code (the SDK's `name`), or a network error's `code` (ECONNRESET …). */
function codeOf(error: unknown): string {
  const { name, code } = shape(error);
  for (const candidate of [name, code]) if (typeof candidate === 'string' && candidate !== '' && candidate !== 'Error') return candidate;
  return 'Error';
}
const messageOf = (error: unknown) => (typeof shape(error).message === 'string' ? (shape(error).message as string) : String(error));
const statusOf = (error: unknown) => shape(error).$metadata?.httpStatusCode;
const headerOf = (error: unknown, name: string) => shape(error).$response?.headers?.[name];

function retryable(error: unknown): boolean {
  const status = statusOf(error);
  return THROTTLING.has(codeOf(error)) || TRANSIENT.has(codeOf(error)) || status === 429 || (status !== undefined && status >= 500);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const stripQuotes = (etag: string | undefined) => (etag ?? '').replaceAll('"', '');
const where = (t: { bucket: string; key?: string; versionId?: string | null }) =>
  `s3://${t.bucket}/${t.key ?? ''}${t.versionId ? ` (version ${t.versionId})` : ''}`;

type Target = { bucket: string; key?: string; versionId?: string };
type CallOptions = { retry?: boolean; action?: 'delete' | 'change-retention'; checksum?: string };

/** Maps an S3 error to the port's typed errors; the original stays as `cause` and its code as `storeCode`. */
function mapError(error: unknown, operation: string, target: Target, options: CallOptions = {}, attempts = 1): ObjectStoreError {
  if (error instanceof ObjectStoreError) return error;
  const code = codeOf(error);
  const status = statusOf(error);
  const message = messageOf(error);
  const opts = { cause: error, storeCode: code };
  const { bucket, key = '', versionId } = target;
  const deleteMarker = headerOf(error, 'x-amz-delete-marker') === 'true';
  if (LOCKED.test(message)) {
    return new ObjectLockedError(bucket, key, versionId ?? null, 'object-lock', null, null, options.action ?? 'delete', opts);
  }
  if (code === 'NoSuchBucket') return new ObjectStoreError(`bucket ${bucket} does not exist (${operation})`, 'config', target, opts);
  if (code === 'NoSuchKey' || code === 'NoSuchVersion' || code === 'NotFound' || (status === 405 && deleteMarker)) {
    return new ObjectNotFoundError(bucket, key, versionId ?? null, deleteMarker, opts);
  }
  if (BAD_DIGEST.has(code)) return new ChecksumMismatchError(bucket, key, options.checksum ?? '(none sent)', null, opts);
  if (THROTTLING.has(code) || status === 429) {
    return new ObjectStoreError(`S3 kept throttling ${operation} on ${where(target)} (${code}) after ${attempts} attempts; try again later`, 'throttled', target, opts);
  }
  // InvalidObjectState (an archived object not restored) comes as a 403 but is no denial.
  if (INVALID.has(code) || status === 400) return new ObjectStoreError(`S3 rejected ${operation} on ${where(target)}: ${code}: ${message}`, 'invalid', target, opts);
  if (code === 'AccessDenied' || status === 403) return new ObjectStoreError(`S3 refused ${operation} on ${where(target)}: ${message}`, 'denied', target, opts);
  return new ObjectStoreError(`S3 ${operation} on ${where(target)} failed: ${code}: ${message}`, 'failed', target, opts);
}

function encodeToken(marker: { k: string; v: string | undefined }): string {
  return Buffer.from(JSON.stringify(marker)).toString('base64url');
}

function decodeToken(bucket: string, token: string): { k: string; v?: string } {
  try {
    const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { k?: unknown; v?: unknown };
    if (typeof value.k === 'string' && (value.v === undefined || typeof value.v === 'string')) return { k: value.k, v: value.v };
  } catch {
    // falls through to the error below
  }
  throw new ObjectStoreError('malformed continuation token', 'invalid', { bucket });
}

function infoOf(ref: ObjectRef, out: HeadObjectCommandOutput | GetObjectCommandOutput): ObjectInfo {
  return {
    bucket: ref.bucket,
    key: ref.key,
    versionId: out.VersionId ?? ref.versionId ?? 'null',
    size: out.ContentLength ?? 0,
    etag: stripQuotes(out.ETag),
    lastModified: out.LastModified ?? new Date(0),
    // S3 leaves the storage class header out for STANDARD.
    storageClass: out.StorageClass ?? 'STANDARD',
    contentType: out.ContentType ?? null,
    metadata: out.Metadata ?? {},
    checksumSha256: out.ChecksumSHA256 ?? null,
    retention:
      out.ObjectLockMode && out.ObjectLockRetainUntilDate
        ? { mode: out.ObjectLockMode, retainUntil: out.ObjectLockRetainUntilDate }
        : null,
    legalHold: out.ObjectLockLegalHoldStatus === 'ON',
  };
}

const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

export class S3ObjectStore implements ObjectStore {
  readonly kind = 's3' as const;
  private readonly client: S3Client;
  private readonly retry: S3RetryPolicy;
  private readonly now: () => Date;

  constructor(config: S3ObjectStoreConfig) {
    this.client = config.client;
    this.retry = config.retry ?? DEFAULT_S3_RETRY;
    this.now = config.now ?? (() => new Date());
  }

  /** One S3 call, retried on throttling and transient failures with bounded exponential back-off. */
  private async call<T>(operation: string, target: Target, send: () => Promise<T>, options: CallOptions = {}): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await send();
      } catch (error) {
        if (options.retry === false || !retryable(error) || attempt >= this.retry.attempts) {
          throw mapError(error, operation, target, options, attempt);
        }
        const ceiling = Math.min(this.retry.maxMs, this.retry.baseMs * 2 ** (attempt - 1));
        await sleep(ceiling / 2 + Math.random() * (ceiling / 2));
      }
    }
  }

  async put(input: PutObjectInput): Promise<PutObjectResult> {
    const { bucket, key, body } = input;
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body instanceof Uint8Array ? body : null;
    // In-memory bodies always travel with their SHA-256, so S3 verifies what it stores.
    const checksum = input.checksumSha256 ?? (bytes ? sha256Base64(bytes) : undefined);
    const metadata = Object.fromEntries(Object.entries(input.metadata ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    const out = await this.call(
      'PutObject',
      { bucket, key },
      () =>
        this.client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: bytes ?? Readable.from((body as { stream: AsyncIterable<Uint8Array> }).stream),
            ContentLength: bytes ? bytes.byteLength : (body as { contentLength: number }).contentLength,
            ChecksumSHA256: checksum,
            ContentType: input.contentType,
            Metadata: metadata,
            StorageClass: input.storageClass,
            ObjectLockMode: input.retention?.mode,
            ObjectLockRetainUntilDate: input.retention?.retainUntil,
            ObjectLockLegalHoldStatus: input.legalHold ? 'ON' : undefined,
          }),
        ),
      // A stream cannot be sent twice.
      { retry: bytes !== null, checksum },
    );
    return { bucket, key, versionId: out.VersionId ?? 'null', etag: stripQuotes(out.ETag), checksumSha256: out.ChecksumSHA256 ?? checksum ?? null };
  }

  async head(ref: ObjectRef): Promise<ObjectInfo> {
    const out = await this.call('HeadObject', ref, () =>
      this.client.send(new HeadObjectCommand({ Bucket: ref.bucket, Key: ref.key, VersionId: ref.versionId, ChecksumMode: 'ENABLED' })),
    );
    return infoOf(ref, out);
  }

  async get(ref: ObjectRef): Promise<ObjectContent> {
    return this.call('GetObject', ref, async () => {
      const out = await this.client.send(new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key, VersionId: ref.versionId, ChecksumMode: 'ENABLED' }));
      const body = out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
      return { ...infoOf(ref, out), body };
    });
  }

  async stream(ref: ObjectRef): Promise<ObjectStream> {
    const out = await this.call('GetObject', ref, () =>
      this.client.send(new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key, VersionId: ref.versionId, ChecksumMode: 'ENABLED' })),
    );
    // On Node the SDK's body is an http.IncomingMessage, a Readable.
    if (!(out.Body instanceof Readable)) throw new ObjectStoreError(`S3 GetObject on ${where(ref)} returned no readable body`, 'failed', ref);
    return { ...infoOf(ref, out), body: out.Body };
  }

  async delete(ref: ObjectRef, options: DeleteOptions = {}): Promise<DeletedObject> {
    try {
      const out = await this.call(
        'DeleteObject',
        ref,
        () =>
          this.client.send(
            new DeleteObjectCommand({
              Bucket: ref.bucket,
              Key: ref.key,
              VersionId: ref.versionId,
              BypassGovernanceRetention: options.bypassGovernanceRetention || undefined,
            }),
          ),
        { action: 'delete' },
      );
      if (ref.versionId === undefined) return { key: ref.key, versionId: null, deleteMarker: true, deleteMarkerVersionId: out.VersionId ?? null };
      const marker = out.DeleteMarker === true;
      return { key: ref.key, versionId: ref.versionId, deleteMarker: marker, deleteMarkerVersionId: marker ? ref.versionId : null };
    } catch (error) {
      if (error instanceof ObjectLockedError && ref.versionId !== undefined) throw await this.explainLock(ref, 'delete', error);
      throw error;
    }
  }

  /** S3 says only that Object Lock refused; its retention and legal hold say which lock and until when. */
  private async explainLock(ref: ObjectRef, action: 'delete' | 'change-retention', refusal: ObjectLockedError): Promise<ObjectLockedError> {
    const [retention, legalHold] = await Promise.all([
      this.getRetention(ref).catch(() => null),
      this.getLegalHold(ref).catch(() => null),
    ]);
    const now = this.now();
    const held = action === 'delete' ? activeLock({ retention, legalHold: legalHold ?? false }, now) : activeLock({ retention, legalHold: false }, now);
    const options = { cause: refusal.cause, storeCode: refusal.storeCode ?? undefined };
    return new ObjectLockedError(ref.bucket, ref.key, ref.versionId ?? null, held?.reason ?? 'object-lock', held?.retention ?? retention, legalHold, action, options);
  }

  async deleteMany(bucket: string, objects: { key: string; versionId?: string }[], options: DeleteOptions = {}): Promise<DeleteManyResult> {
    const result: DeleteManyResult = { deleted: [], failed: [] };
    const id = (key: string | undefined, versionId: string | undefined) => `${versionId ?? ''} ${key ?? ''}`;
    for (let start = 0; start < objects.length; start += BATCH) {
      const chunk = objects.slice(start, start + BATCH);
      let out;
      try {
        out = await this.call('DeleteObjects', { bucket }, () =>
          this.client.send(
            new DeleteObjectsCommand({
              Bucket: bucket,
              Delete: { Objects: chunk.map((o) => ({ Key: o.key, VersionId: o.versionId })), Quiet: false },
              BypassGovernanceRetention: options.bypassGovernanceRetention || undefined,
            }),
          ),
        );
      } catch (error) {
        // The request itself failed: this batch and the ones not sent fail; earlier batches stay reported.
        const failure = mapError(error, 'DeleteObjects', { bucket });
        for (const o of objects.slice(start)) result.failed.push({ key: o.key, versionId: o.versionId ?? null, error: failure });
        return result;
      }
      const answered = new Set<string>();
      for (const d of out.Deleted ?? []) {
        answered.add(id(d.Key, d.VersionId));
        result.deleted.push({
          key: d.Key ?? '',
          versionId: d.VersionId ?? null,
          deleteMarker: d.DeleteMarker === true,
          deleteMarkerVersionId: d.DeleteMarkerVersionId ?? null,
        });
      }
      for (const e of out.Errors ?? []) {
        answered.add(id(e.Key, e.VersionId));
        const target = { bucket, key: e.Key ?? '', versionId: e.VersionId };
        const error = mapError({ name: e.Code ?? 'Error', message: e.Message ?? '' }, 'DeleteObjects', target, { action: 'delete' });
        result.failed.push({ key: e.Key ?? '', versionId: e.VersionId ?? null, error });
      }
      for (const o of chunk.filter((o) => !answered.has(id(o.key, o.versionId)))) {
        const target = { bucket, key: o.key, versionId: o.versionId };
        result.failed.push({ key: o.key, versionId: o.versionId ?? null, error: new ObjectStoreError(`S3 did not report on ${where(target)}`, 'failed', target) });
      }
    }
    return result;
  }

  async listObjects(query: ListQuery): Promise<ObjectPage> {
    const out = await this.call('ListObjectsV2', { bucket: query.bucket }, () =>
      this.client.send(
        new ListObjectsV2Command({
          Bucket: query.bucket,
          Prefix: query.prefix || undefined,
          MaxKeys: query.maxKeys,
          ContinuationToken: query.continuationToken,
        }),
      ),
    );
    const objects = (out.Contents ?? []).map((c) => ({
      key: c.Key ?? '',
      size: c.Size ?? 0,
      etag: stripQuotes(c.ETag),
      lastModified: c.LastModified ?? new Date(0),
      storageClass: c.StorageClass ?? 'STANDARD',
    }));
    return { objects, nextContinuationToken: out.IsTruncated ? (out.NextContinuationToken ?? null) : null };
  }

  async listVersions(query: ListQuery): Promise<VersionPage> {
    const marker = query.continuationToken ? decodeToken(query.bucket, query.continuationToken) : undefined;
    const out = await this.call('ListObjectVersions', { bucket: query.bucket }, () =>
      this.client.send(
        new ListObjectVersionsCommand({
          Bucket: query.bucket,
          Prefix: query.prefix || undefined,
          MaxKeys: query.maxKeys,
          KeyMarker: marker?.k,
          VersionIdMarker: marker?.v,
        }),
      ),
    );
    const versions: VersionPage['versions'] = [
      ...(out.Versions ?? []).map((v) => ({
        isDeleteMarker: false as const,
        key: v.Key ?? '',
        versionId: v.VersionId ?? 'null',
        isLatest: v.IsLatest === true,
        lastModified: v.LastModified ?? new Date(0),
        size: v.Size ?? 0,
        etag: stripQuotes(v.ETag),
        storageClass: v.StorageClass ?? 'STANDARD',
      })),
      ...(out.DeleteMarkers ?? []).map((m) => ({
        isDeleteMarker: true as const,
        key: m.Key ?? '',
        versionId: m.VersionId ?? 'null',
        isLatest: m.IsLatest === true,
        lastModified: m.LastModified ?? new Date(0),
      })),
    ];
    // The SDK parses versions and delete markers into two lists; S3's one order is by key, then newest first.
    versions.sort(
      (a, b) => byteOrder(a.key, b.key) || b.lastModified.getTime() - a.lastModified.getTime() || Number(b.isLatest) - Number(a.isLatest),
    );
    const next = out.IsTruncated && out.NextKeyMarker !== undefined ? encodeToken({ k: out.NextKeyMarker, v: out.NextVersionIdMarker }) : null;
    return { versions, nextContinuationToken: next };
  }

  async putRetention(ref: ObjectRef, retention: Retention | null, options: DeleteOptions = {}): Promise<void> {
    try {
      await this.call(
        'PutObjectRetention',
        ref,
        () =>
          this.client.send(
            new PutObjectRetentionCommand({
              Bucket: ref.bucket,
              Key: ref.key,
              VersionId: ref.versionId,
              Retention: retention ? { Mode: retention.mode, RetainUntilDate: retention.retainUntil } : {},
              BypassGovernanceRetention: options.bypassGovernanceRetention || undefined,
            }),
          ),
        { action: 'change-retention' },
      );
    } catch (error) {
      if (error instanceof ObjectLockedError) throw await this.explainLock(ref, 'change-retention', error);
      throw error;
    }
  }

  async getRetention(ref: ObjectRef): Promise<Retention | null> {
    try {
      const out = await this.call('GetObjectRetention', ref, () =>
        this.client.send(new GetObjectRetentionCommand({ Bucket: ref.bucket, Key: ref.key, VersionId: ref.versionId })),
      );
      const r = out.Retention;
      return r?.Mode && r.RetainUntilDate ? { mode: r.Mode, retainUntil: r.RetainUntilDate } : null;
    } catch (error) {
      if (error instanceof ObjectStoreError && error.storeCode === 'NoSuchObjectLockConfiguration') return null;
      throw error;
    }
  }

  async putLegalHold(ref: ObjectRef, on: boolean): Promise<void> {
    await this.call('PutObjectLegalHold', ref, () =>
      this.client.send(
        new PutObjectLegalHoldCommand({ Bucket: ref.bucket, Key: ref.key, VersionId: ref.versionId, LegalHold: { Status: on ? 'ON' : 'OFF' } }),
      ),
    );
  }

  async getLegalHold(ref: ObjectRef): Promise<boolean> {
    try {
      const out = await this.call('GetObjectLegalHold', ref, () =>
        this.client.send(new GetObjectLegalHoldCommand({ Bucket: ref.bucket, Key: ref.key, VersionId: ref.versionId })),
      );
      return out.LegalHold?.Status === 'ON';
    } catch (error) {
      if (error instanceof ObjectStoreError && error.storeCode === 'NoSuchObjectLockConfiguration') return false;
      throw error;
    }
  }
}
