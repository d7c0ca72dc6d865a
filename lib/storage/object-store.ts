// The object-store port: S3's versions, delete markers, Object Lock retention and legal hold, for objects addressed as (bucket, key, versionId?).
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';

export type ObjectLockMode = 'COMPLIANCE' | 'GOVERNANCE';

/** Object Lock retention of one version: it cannot be deleted before `retainUntil`. */
export type Retention = { mode: ObjectLockMode; retainUntil: Date };

/** One object, or one version of it; without a version id, the latest. */
export type ObjectRef = { bucket: string; key: string; versionId?: string };

export type StorageClass =
  | 'STANDARD'
  | 'STANDARD_IA'
  | 'ONEZONE_IA'
  | 'INTELLIGENT_TIERING'
  | 'GLACIER_IR'
  | 'GLACIER'
  | 'DEEP_ARCHIVE';

/** A body the store reads once: bytes, text (UTF-8), or a stream of known length. */
export type PutBody = Uint8Array | string | { stream: AsyncIterable<Uint8Array>; contentLength: number };

export type PutObjectInput = {
  bucket: string;
  key: string;
  body: PutBody;
  /** SHA-256 of the body, base64 (S3's ChecksumSHA256); a body that does not match is refused. */
  checksumSha256?: string;
  contentType?: string;
  /** User metadata (x-amz-meta-*); names are stored lower-cased, as S3 does. */
  metadata?: Record<string, string>;
  storageClass?: StorageClass;
  /** Needs an Object-Lock-enabled bucket; without it the bucket's default retention applies. */
  retention?: Retention;
  legalHold?: boolean;
};

export type PutObjectResult = {
  bucket: string;
  key: string;
  versionId: string;
  /** Without quotes. */
  etag: string;
  /** Base64; null when the store did not verify one (a stream put without a checksum on S3). */
  checksumSha256: string | null;
};

export type ObjectInfo = {
  bucket: string;
  key: string;
  versionId: string;
  size: number;
  /** Without quotes. */
  etag: string;
  lastModified: Date;
  storageClass: string;
  contentType: string | null;
  metadata: Record<string, string>;
  checksumSha256: string | null;
  retention: Retention | null;
  legalHold: boolean;
};

export type ObjectContent = ObjectInfo & { body: Uint8Array };

/** The body streamed; a reader that stops early must destroy it. */
export type ObjectStream = ObjectInfo & { body: Readable };

export type ListQuery = {
  bucket: string;
  prefix?: string;
  /** 1–1000; default 1000. */
  maxKeys?: number;
  /** `nextContinuationToken` of the previous page (opaque). */
  continuationToken?: string;
};

export type ObjectSummary = { key: string; size: number; etag: string; lastModified: Date; storageClass: string };

export type ObjectPage = { objects: ObjectSummary[]; nextContinuationToken: string | null };

export type ObjectVersion = {
  isDeleteMarker: false;
  key: string;
  versionId: string;
  isLatest: boolean;
  lastModified: Date;
  size: number;
  etag: string;
  storageClass: string;
};

export type DeleteMarker = { isDeleteMarker: true; key: string; versionId: string; isLatest: boolean; lastModified: Date };

/** Versions by key (UTF-8 byte order), each key's newest first. */
export type VersionPage = { versions: (ObjectVersion | DeleteMarker)[]; nextContinuationToken: string | null };

export type DeleteOptions = {
  /** Lets a delete or retention change through GOVERNANCE retention (never COMPLIANCE, never a legal hold). */
  bypassGovernanceRetention?: boolean;
};

export type DeletedObject = {
  key: string;
  /** The version permanently removed; null when the delete created a delete marker instead. */
  versionId: string | null;
  /** True when the delete created a delete marker or removed one. */
  deleteMarker: boolean;
  /** The delete marker created or removed. */
  deleteMarkerVersionId: string | null;
};

export type DeleteFailure = {
  key: string;
  versionId: string | null;
  /** Typed: ObjectLockedError for a locked version; `storeCode` keeps the store's own code (S3's AccessDenied …). */
  error: ObjectStoreError;
};

/** Every object asked for is in exactly one of the two lists. */
export type DeleteManyResult = { deleted: DeletedObject[]; failed: DeleteFailure[] };

export type ObjectStore = {
  /** The adapter's name; never branched on outside the composition root. */
  readonly kind: 'local' | 's3';
  /** Every put makes a new version. */
  put(input: PutObjectInput): Promise<PutObjectResult>;
  head(ref: ObjectRef): Promise<ObjectInfo>;
  /** The whole body in memory (checkpoints, evidence); `stream` for large objects. */
  get(ref: ObjectRef): Promise<ObjectContent>;
  stream(ref: ObjectRef): Promise<ObjectStream>;
  /** With a version id, removes that version (refused while locked); without, adds a delete marker. */
  delete(ref: ObjectRef, options?: DeleteOptions): Promise<DeletedObject>;
  /** Batch delete; per-object refusals are reported in `failed`, never thrown. */
  deleteMany(bucket: string, objects: { key: string; versionId?: string }[], options?: DeleteOptions): Promise<DeleteManyResult>;
  /** Latest versions that are not delete markers, by key. */
  listObjects(query: ListQuery): Promise<ObjectPage>;
  listVersions(query: ListQuery): Promise<VersionPage>;
  /** COMPLIANCE retention may only be extended; GOVERNANCE may be shortened or removed (null) with the bypass. */
  putRetention(ref: ObjectRef, retention: Retention | null, options?: DeleteOptions): Promise<void>;
  getRetention(ref: ObjectRef): Promise<Retention | null>;
  putLegalHold(ref: ObjectRef, on: boolean): Promise<void>;
  getLegalHold(ref: ObjectRef): Promise<boolean>;
};

export type ObjectStoreErrorCode = 'not-found' | 'locked' | 'checksum' | 'invalid' | 'denied' | 'throttled' | 'config' | 'corrupt' | 'failed';

const BRAND = Symbol.for('custos.ObjectStoreError');

export type ObjectStoreErrorOptions = { cause?: unknown; storeCode?: string };

function branded(value: unknown, kind: string): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const kinds = (value as Record<symbol, unknown>)[BRAND];
  return Array.isArray(kinds) && kinds.includes(kind);
}

export class ObjectStoreError extends Error {
  static readonly kind: string = 'ObjectStoreError';
  // A brand keeps `instanceof` true when a bundler loads this module twice.
  readonly [BRAND]: string[] = ['ObjectStoreError'];

  static override [Symbol.hasInstance](value: unknown): boolean {
    return branded(value, this.kind);
  }

  /** The store's own error code, when it gave one (S3's `Code`: AccessDenied, SlowDown, …). */
  readonly storeCode: string | null;

  constructor(
    message: string,
    readonly code: ObjectStoreErrorCode,
    readonly target: { bucket?: string; key?: string; versionId?: string | null } = {},
    options: ObjectStoreErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ObjectStoreError';
    this.storeCode = options.storeCode ?? null;
  }
}

export class ObjectNotFoundError extends ObjectStoreError {
  static override readonly kind = 'ObjectNotFoundError';

  constructor(
    readonly bucket: string,
    readonly key: string,
    readonly versionId: string | null,
    /** The latest version (or the version asked for) is a delete marker. */
    readonly deleteMarker: boolean,
    options?: ObjectStoreErrorOptions,
  ) {
    const what = `s3://${bucket}/${key}${versionId ? ` (version ${versionId})` : ''}`;
    super(deleteMarker ? `${what} is a delete marker` : `${what} does not exist`, 'not-found', { bucket, key, versionId }, options);
    this.name = 'ObjectNotFoundError';
    this[BRAND].push(ObjectNotFoundError.kind);
  }
}

export type LockReason = 'retention' | 'legal-hold' | 'object-lock';

export class ObjectLockedError extends ObjectStoreError {
  static override readonly kind = 'ObjectLockedError';
  /** When the retention ends (null under a legal hold alone, or when the store did not say). */
  readonly until: Date | null;

  constructor(
    readonly bucket: string,
    readonly key: string,
    readonly versionId: string | null,
    /** `object-lock`: the store refused without saying which lock holds the version. */
    readonly reason: LockReason,
    readonly retention: Retention | null,
    readonly legalHold: boolean | null,
    readonly action: 'delete' | 'change-retention',
    options?: ObjectStoreErrorOptions,
  ) {
    super(lockMessage(bucket, key, versionId, reason, retention, action), 'locked', { bucket, key, versionId }, options);
    this.name = 'ObjectLockedError';
    this.until = retention?.retainUntil ?? null;
    this[BRAND].push(ObjectLockedError.kind);
  }
}

function lockMessage(
  bucket: string,
  key: string,
  versionId: string | null,
  reason: LockReason,
  retention: Retention | null,
  action: 'delete' | 'change-retention',
): string {
  const what = `s3://${bucket}/${key}${versionId ? ` (version ${versionId})` : ''}`;
  const refused = action === 'delete' ? 'cannot be deleted' : 'cannot have its retention shortened or removed';
  if (reason === 'legal-hold') return `${what} is under a legal hold and ${refused} until the hold is released`;
  if (reason === 'retention' && retention) {
    return `${what} is under ${retention.mode} retention until ${retention.retainUntil.toISOString()} and ${refused}`;
  }
  return `${what} is protected by Object Lock and ${refused}`;
}

export class ChecksumMismatchError extends ObjectStoreError {
  static override readonly kind = 'ChecksumMismatchError';

  constructor(
    readonly bucket: string,
    readonly key: string,
    readonly expected: string,
    /** Null when the store did not say what it computed. */
    readonly actual: string | null,
    options?: ObjectStoreErrorOptions,
  ) {
    super(
      `s3://${bucket}/${key}: the body's SHA-256 ${actual ? `is ${actual}, not` : 'does not match'} ${expected}; nothing was stored`,
      'checksum',
      { bucket, key },
      options,
    );
    this.name = 'ChecksumMismatchError';
    this[BRAND].push(ChecksumMismatchError.kind);
  }
}

/** SHA-256 as S3's ChecksumSHA256 carries it (base64). */
export function sha256Base64(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('base64');
}

/** What holds a version at `now`: its legal hold first, then unexpired retention. */
export function activeLock(
  state: { retention: Retention | null; legalHold: boolean },
  now: Date,
): { reason: 'retention' | 'legal-hold'; retention: Retention | null } | null {
  const retention = state.retention && state.retention.retainUntil.getTime() > now.getTime() ? state.retention : null;
  if (state.legalHold) return { reason: 'legal-hold', retention };
  return retention ? { reason: 'retention', retention } : null;
}

/** Every object under a prefix, page by page (bounded memory whatever the bucket size). */
export async function* allObjects(store: ObjectStore, query: Omit<ListQuery, 'continuationToken'>): AsyncGenerator<ObjectSummary> {
  let continuationToken: string | undefined;
  do {
    const page = await store.listObjects({ ...query, continuationToken });
    yield* page.objects;
    continuationToken = page.nextContinuationToken ?? undefined;
  } while (continuationToken);
}

/** Every version and delete marker under a prefix, page by page. */
export async function* allVersions(
  store: ObjectStore,
  query: Omit<ListQuery, 'continuationToken'>,
): AsyncGenerator<ObjectVersion | DeleteMarker> {
  let continuationToken: string | undefined;
  do {
    const page = await store.listVersions({ ...query, continuationToken });
    yield* page.versions;
    continuationToken = page.nextContinuationToken ?? undefined;
  } while (continuationToken);
}
