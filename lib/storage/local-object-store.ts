import 'server-only';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  ChecksumMismatchError,
  ObjectLockedError,
  ObjectNotFoundError,
  ObjectStoreError,
  activeLock,
  type DeletedObject,
  type DeleteManyResult,
  type DeleteOptions,
  type ListQuery,
  type ObjectContent,
  type ObjectInfo,
  type ObjectLockMode,
  type ObjectPage,
  type ObjectRef,
  type ObjectStore,
  type ObjectStream,
  type PutBody,
  type PutObjectInput,
  type PutObjectResult,
  type Retention,
  type VersionPage,
} from './object-store';
import { decodeSegment, encodeSegment, recordName, type LockRecord, type VersionRecord } from './local-object-layout';

// A local directory with S3's semantics. A key's '/'-separated segments are nested folders, so a
// listing walks the tree in S3's byte order holding one folder at a time. Each version is an
// immutable data file plus a record named by its sequence number, committed by link(): whole or absent.

export type LocalBucketConfig = {
  objectLock: boolean;
  /** Applied to puts that name no retention, like S3's bucket default retention. */
  defaultRetention?: { mode: ObjectLockMode; days: number };
};

export type LocalObjectStoreOptions = {
  root: string;
  /** Buckets not listed are versioned without Object Lock. */
  buckets?: Record<string, LocalBucketConfig>;
  now?: () => Date;
};

const DIR_MODE = 0o700;
const FILE_MODE = 0o600;
const RECORD = /^(\d{12})\.json$/;
const SLASH = Buffer.from('/');
const MAX_KEY_BYTES = 1024;
const MAX_METADATA_BYTES = 2048;
const DAY_MS = 86_400_000;

const startsWith = (value: Buffer, prefix: Buffer) => value.length >= prefix.length && value.subarray(0, prefix.length).equals(prefix);

function invalid(message: string, ref: { bucket?: string; key?: string } = {}): ObjectStoreError {
  return new ObjectStoreError(message, 'invalid', ref);
}

function assertBucket(bucket: string): void {
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket) || bucket.includes('..')) {
    throw invalid(`invalid bucket name ${JSON.stringify(bucket)}`, { bucket });
  }
}

function assertKey(bucket: string, key: string): string[] {
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes === 0 || bytes > MAX_KEY_BYTES || Buffer.from(key, 'utf8').toString('utf8') !== key) {
    throw invalid(`object keys are 1–${MAX_KEY_BYTES} bytes of well-formed UTF-8`, { bucket, key });
  }
  const segments = key.split('/').map(encodeSegment);
  if (segments.some((s) => s.length > 250)) throw invalid('a key segment between slashes is too long for a local folder name', { bucket, key });
  return segments;
}

function assertRetention(retention: Retention, now: Date, ref: { bucket: string; key: string }): void {
  if (retention.mode !== 'COMPLIANCE' && retention.mode !== 'GOVERNANCE') throw invalid(`unknown retention mode ${String(retention.mode)}`, ref);
  if (Number.isNaN(retention.retainUntil.getTime()) || retention.retainUntil.getTime() <= now.getTime()) {
    throw invalid('the retain-until date must be in the future', ref);
  }
}

function normalizeMetadata(metadata: Record<string, string> | undefined, ref: { bucket: string; key: string }): Record<string, string> {
  const out: Record<string, string> = {};
  let bytes = 0;
  for (const [name, value] of Object.entries(metadata ?? {})) {
    if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name) || !/^[\x20-\x7e]*$/.test(value)) {
      throw invalid(`metadata ${JSON.stringify(name)}: names are HTTP tokens and values printable ASCII`, ref);
    }
    out[name.toLowerCase()] = value;
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value);
  }
  if (bytes > MAX_METADATA_BYTES) throw invalid(`metadata exceeds ${MAX_METADATA_BYTES} bytes`, ref);
  return out;
}

const newVersionId = () => randomBytes(24).toString('base64url');
const tempName = () => `${Date.now()}-${randomBytes(8).toString('hex')}.tmp`;

function encodeToken(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decodeToken<T>(token: string, check: (value: unknown) => value is T): T {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  if (!check(value)) throw invalid('malformed continuation token');
  return value;
}

const isKeyToken = (v: unknown): v is { k: string } => typeof v === 'object' && v !== null && typeof (v as { k?: unknown }).k === 'string';
const isVersionToken = (v: unknown): v is { k: string; s: number } => isKeyToken(v) && typeof (v as { s?: unknown }).s === 'number';

function clampMaxKeys(maxKeys: number | undefined): number {
  return Math.max(1, Math.min(1000, Math.floor(maxKeys ?? 1000)));
}

function isCode(error: unknown, ...codes: string[]): boolean {
  return typeof error === 'object' && error !== null && codes.includes((error as { code?: string }).code ?? '');
}

async function writeDurable(file: string, data: Uint8Array | string): Promise<void> {
  const handle = await fs.promises.open(file, 'wx', FILE_MODE);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.promises.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function* bodyChunks(body: PutBody): AsyncGenerator<Uint8Array> {
  if (typeof body === 'string') yield Buffer.from(body, 'utf8');
  else if (body instanceof Uint8Array) yield body;
  else for await (const chunk of body.stream) yield typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
}

/** Writes the body to `file` (fsync'd), hashing it on the way. */
async function writeBody(file: string, body: PutBody): Promise<{ size: number; sha256: string; md5: string }> {
  const handle = await fs.promises.open(file, 'wx', FILE_MODE);
  const sha256 = createHash('sha256');
  const md5 = createHash('md5');
  let size = 0;
  try {
    for await (const chunk of bodyChunks(body)) {
      sha256.update(chunk);
      md5.update(chunk);
      size += chunk.byteLength;
      for (let offset = 0; offset < chunk.byteLength; ) {
        const { bytesWritten } = await handle.write(chunk, offset, chunk.byteLength - offset);
        offset += bytesWritten;
      }
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { size, sha256: sha256.digest('base64'), md5: md5.digest('hex') };
}

/** Record file names, newest first; none when the key has no folder. */
async function recordNames(keyDir: string): Promise<string[]> {
  try {
    return (await fs.promises.readdir(keyDir)).filter((n) => RECORD.test(n)).sort().reverse();
  } catch (error) {
    if (isCode(error, 'ENOENT', 'ENOTDIR')) return [];
    throw error;
  }
}

const readRecord = async (keyDir: string, name: string) => JSON.parse(await fs.promises.readFile(path.join(keyDir, name), 'utf8')) as VersionRecord;

async function readRecords(keyDir: string): Promise<VersionRecord[]> {
  return Promise.all((await recordNames(keyDir)).map((n) => readRecord(keyDir, n)));
}

async function latestRecord(keyDir: string): Promise<VersionRecord | null> {
  const [latest] = await recordNames(keyDir);
  return latest ? readRecord(keyDir, latest) : null;
}

type Walked = { key: Buffer; dir: string };

/** Keys under `dir` in byte order, restricted to `prefix` and to keys after (or from) `from`. */
async function* walk(dir: string, base: Buffer, prefix: Buffer, from: { key: Buffer; inclusive: boolean } | null): AsyncGenerator<Walked> {
  let names: string[];
  try {
    names = await fs.promises.readdir(dir);
  } catch (error) {
    if (isCode(error, 'ENOENT', 'ENOTDIR')) return;
    throw error;
  }
  const entries = names
    .filter((name) => name[0] === 'k' || name[0] === 'p')
    .map((name) => {
      const folder = name[0] === 'p';
      return { name, folder, full: Buffer.concat([base, decodeSegment(name.slice(1)), folder ? SLASH : Buffer.alloc(0)]) };
    })
    .sort((a, b) => Buffer.compare(a.full, b.full));
  for (const entry of entries) {
    const inside = path.join(dir, entry.name);
    if (entry.folder) {
      if (!startsWith(entry.full, prefix) && !startsWith(prefix, entry.full)) continue;
      // Every key in the folder starts with entry.full: all before `from` unless `from` lies inside.
      if (from && Buffer.compare(entry.full, from.key) < 0 && !startsWith(from.key, entry.full)) continue;
      yield* walk(inside, entry.full, prefix, from);
    } else {
      if (!startsWith(entry.full, prefix)) continue;
      const order = from ? Buffer.compare(entry.full, from.key) : 1;
      if (order < 0 || (order === 0 && !from?.inclusive)) continue;
      yield { key: entry.full, dir: inside };
    }
  }
}

export class LocalObjectStore implements ObjectStore {
  readonly kind = 'local' as const;
  readonly root: string;
  private readonly now: () => Date;
  private readonly buckets: Record<string, LocalBucketConfig>;
  private readonly queues = new Map<string, Promise<unknown>>();
  private rootReady: Promise<void> | undefined;

  constructor(options: LocalObjectStoreOptions) {
    this.root = path.resolve(options.root);
    this.now = options.now ?? (() => new Date());
    this.buckets = options.buckets ?? {};
  }

  private get tmpDir() {
    return path.join(this.root, '.tmp');
  }

  private ensureRoot(): Promise<void> {
    this.rootReady ??= (async () => {
      await fs.promises.mkdir(this.tmpDir, { recursive: true, mode: DIR_MODE });
      await fs.promises.chmod(this.root, DIR_MODE);
      await this.sweepStaleTemps();
    })();
    return this.rootReady;
  }

  /** Removes what crashed puts left in .tmp; a day is far longer than any put takes. */
  private async sweepStaleTemps(): Promise<void> {
    const cutoff = Date.now() - DAY_MS;
    for (const name of await fs.promises.readdir(this.tmpDir)) {
      const file = path.join(this.tmpDir, name);
      const stat = await fs.promises.stat(file).catch(() => null);
      if (stat && stat.mtimeMs < cutoff) await fs.promises.rm(file, { force: true });
    }
  }

  /** Mutations of one bucket run one at a time (in this process; the store has a single writer). */
  private exclusive<T>(bucket: string, work: () => Promise<T>): Promise<T> {
    const run = (this.queues.get(bucket) ?? Promise.resolve()).then(work);
    this.queues.set(bucket, run.catch(() => undefined));
    return run;
  }

  private bucketDir(bucket: string): string {
    assertBucket(bucket);
    return path.join(this.root, bucket);
  }

  private keyDir(bucket: string, key: string): string {
    const segments = assertKey(bucket, key);
    const folders = segments.slice(0, -1).map((s) => `p${s}`);
    return path.join(this.bucketDir(bucket), ...folders, `k${segments.at(-1)}`);
  }

  private lockEnabled(bucket: string, key: string): LocalBucketConfig {
    const config = this.buckets[bucket];
    if (!config?.objectLock) throw invalid(`bucket ${bucket} is not Object-Lock-enabled`, { bucket, key });
    return config;
  }

  private async readLock(keyDir: string, versionId: string): Promise<{ retention: Retention | null; legalHold: boolean }> {
    let record: LockRecord;
    try {
      record = JSON.parse(await fs.promises.readFile(path.join(keyDir, `${versionId}.lock.json`), 'utf8')) as LockRecord;
    } catch (error) {
      if (isCode(error, 'ENOENT')) return { retention: null, legalHold: false };
      throw error;
    }
    const retention = record.retention ? { mode: record.retention.mode, retainUntil: new Date(record.retention.retainUntil) } : null;
    return { retention, legalHold: record.legalHold };
  }

  private async writeLock(keyDir: string, versionId: string, retention: Retention | null, legalHold: boolean): Promise<void> {
    const record: LockRecord = { retention: retention && { mode: retention.mode, retainUntil: retention.retainUntil.toISOString() }, legalHold };
    const temp = path.join(this.tmpDir, tempName());
    await writeDurable(temp, JSON.stringify(record));
    await fs.promises.rename(temp, path.join(keyDir, `${versionId}.lock.json`));
    await fsyncDir(keyDir);
  }

  /** Links the record under the next free sequence number; link() never replaces, so a race takes the next one. */
  private async commitRecord(keyDir: string, record: Omit<VersionRecord, 'seq'>): Promise<VersionRecord> {
    const latest = await latestRecord(keyDir);
    for (let seq = (latest?.seq ?? 0) + 1; ; seq++) {
      const full = { ...record, seq };
      const temp = path.join(this.tmpDir, tempName());
      await writeDurable(temp, JSON.stringify(full));
      try {
        await fs.promises.link(temp, path.join(keyDir, recordName(seq)));
        await fsyncDir(keyDir);
        return full;
      } catch (error) {
        if (!isCode(error, 'EEXIST')) throw error;
      } finally {
        await fs.promises.rm(temp, { force: true });
      }
    }
  }

  /** The record a ref names, refusing delete markers and missing versions. */
  private async resolve(ref: ObjectRef): Promise<{ keyDir: string; record: VersionRecord }> {
    const keyDir = this.keyDir(ref.bucket, ref.key);
    if (ref.versionId !== undefined) {
      const record = (await readRecords(keyDir)).find((r) => r.versionId === ref.versionId);
      if (!record || record.deleteMarker) throw new ObjectNotFoundError(ref.bucket, ref.key, ref.versionId, Boolean(record));
      return { keyDir, record };
    }
    const record = await latestRecord(keyDir);
    if (!record || record.deleteMarker) throw new ObjectNotFoundError(ref.bucket, ref.key, null, Boolean(record));
    return { keyDir, record };
  }

  private async info(bucket: string, key: string, keyDir: string, record: VersionRecord): Promise<ObjectInfo> {
    const lock = await this.readLock(keyDir, record.versionId);
    return {
      bucket,
      key,
      versionId: record.versionId,
      size: record.size,
      etag: record.etag,
      lastModified: new Date(record.lastModified),
      storageClass: record.storageClass,
      contentType: record.contentType,
      metadata: { ...record.metadata },
      checksumSha256: record.sha256,
      retention: lock.retention,
      legalHold: lock.legalHold,
    };
  }

  private assertUnlocked(
    ref: { bucket: string; key: string; versionId: string },
    lock: { retention: Retention | null; legalHold: boolean },
    options: DeleteOptions,
  ): void {
    const held = activeLock(lock, this.now());
    if (!held) return;
    if (held.reason === 'retention' && held.retention?.mode === 'GOVERNANCE' && options.bypassGovernanceRetention) return;
    throw new ObjectLockedError(ref.bucket, ref.key, ref.versionId, held.reason, held.retention, lock.legalHold, 'delete');
  }

  async put(input: PutObjectInput): Promise<PutObjectResult> {
    const { bucket, key } = input;
    const keyDir = this.keyDir(bucket, key);
    const metadata = normalizeMetadata(input.metadata, { bucket, key });
    const now = this.now();
    let retention = input.retention ?? null;
    if (retention || input.legalHold) {
      this.lockEnabled(bucket, key);
      if (retention) assertRetention(retention, now, { bucket, key });
    }
    const config = this.buckets[bucket];
    const defaults = config?.objectLock ? config.defaultRetention : undefined;
    if (!retention && defaults) retention = { mode: defaults.mode, retainUntil: new Date(now.getTime() + defaults.days * DAY_MS) };

    await this.ensureRoot();
    const temp = path.join(this.tmpDir, tempName());
    try {
      const written = await writeBody(temp, input.body);
      if (typeof input.body === 'object' && 'contentLength' in input.body && input.body.contentLength !== written.size) {
        throw invalid(`the body was ${written.size} bytes, not the ${input.body.contentLength} announced`, { bucket, key });
      }
      if (input.checksumSha256 !== undefined && input.checksumSha256 !== written.sha256) {
        throw new ChecksumMismatchError(bucket, key, input.checksumSha256, written.sha256);
      }
      return await this.exclusive(bucket, async () => {
        const versionId = newVersionId();
        await fs.promises.mkdir(keyDir, { recursive: true, mode: DIR_MODE });
        await fs.promises.rename(temp, path.join(keyDir, `${versionId}.data`));
        if (retention || input.legalHold) await this.writeLock(keyDir, versionId, retention, Boolean(input.legalHold));
        await this.commitRecord(keyDir, {
          versionId,
          deleteMarker: false,
          lastModified: this.now().toISOString(),
          size: written.size,
          etag: written.md5,
          sha256: written.sha256,
          storageClass: input.storageClass ?? 'STANDARD',
          contentType: input.contentType ?? null,
          metadata,
        });
        return { bucket, key, versionId, etag: written.md5, checksumSha256: written.sha256 };
      });
    } finally {
      await fs.promises.rm(temp, { force: true });
    }
  }

  async head(ref: ObjectRef): Promise<ObjectInfo> {
    const { keyDir, record } = await this.resolve(ref);
    return this.info(ref.bucket, ref.key, keyDir, record);
  }

  async get(ref: ObjectRef): Promise<ObjectContent> {
    const { keyDir, record } = await this.resolve(ref);
    const body = await fs.promises.readFile(path.join(keyDir, `${record.versionId}.data`));
    if (createHash('sha256').update(body).digest('base64') !== record.sha256) {
      throw new ObjectStoreError(`s3://${ref.bucket}/${ref.key} (version ${record.versionId}) no longer matches its SHA-256 on disk`, 'corrupt', {
        bucket: ref.bucket,
        key: ref.key,
        versionId: record.versionId,
      });
    }
    return { ...(await this.info(ref.bucket, ref.key, keyDir, record)), body: new Uint8Array(body) };
  }

  async stream(ref: ObjectRef): Promise<ObjectStream> {
    const { keyDir, record } = await this.resolve(ref);
    const handle = await fs.promises.open(path.join(keyDir, `${record.versionId}.data`), 'r');
    return { ...(await this.info(ref.bucket, ref.key, keyDir, record)), body: handle.createReadStream() };
  }

  async delete(ref: ObjectRef, options: DeleteOptions = {}): Promise<DeletedObject> {
    const keyDir = this.keyDir(ref.bucket, ref.key);
    return this.exclusive(ref.bucket, async () => {
      await this.ensureRoot();
      if (ref.versionId === undefined) {
        await fs.promises.mkdir(keyDir, { recursive: true, mode: DIR_MODE });
        const marker = await this.commitRecord(keyDir, {
          versionId: newVersionId(),
          deleteMarker: true,
          lastModified: this.now().toISOString(),
          size: 0,
          etag: '',
          sha256: '',
          storageClass: '',
          contentType: null,
          metadata: {},
        });
        return { key: ref.key, versionId: null, deleteMarker: true, deleteMarkerVersionId: marker.versionId };
      }
      const records = await readRecords(keyDir);
      const record = records.find((r) => r.versionId === ref.versionId);
      // As on S3, deleting a version that does not exist succeeds.
      if (!record) return { key: ref.key, versionId: ref.versionId, deleteMarker: false, deleteMarkerVersionId: null };
      if (!record.deleteMarker) {
        this.assertUnlocked({ ...ref, versionId: record.versionId }, await this.readLock(keyDir, record.versionId), options);
      }
      await fs.promises.unlink(path.join(keyDir, recordName(record.seq)));
      await fsyncDir(keyDir);
      await fs.promises.rm(path.join(keyDir, `${record.versionId}.data`), { force: true });
      await fs.promises.rm(path.join(keyDir, `${record.versionId}.lock.json`), { force: true });
      if (records.length === 1) await this.prune(keyDir, this.bucketDir(ref.bucket));
      return {
        key: ref.key,
        versionId: record.versionId,
        deleteMarker: record.deleteMarker,
        deleteMarkerVersionId: record.deleteMarker ? record.versionId : null,
      };
    });
  }

  /** Removes the key's folder and the prefix folders it leaves empty. */
  private async prune(keyDir: string, bucketDir: string): Promise<void> {
    for (let dir = keyDir; dir.startsWith(bucketDir + path.sep); dir = path.dirname(dir)) {
      try {
        await fs.promises.rmdir(dir);
      } catch (error) {
        if (isCode(error, 'ENOTEMPTY', 'EEXIST', 'ENOENT')) return;
        throw error;
      }
    }
  }

  async deleteMany(bucket: string, objects: { key: string; versionId?: string }[], options: DeleteOptions = {}): Promise<DeleteManyResult> {
    const result: DeleteManyResult = { deleted: [], failed: [] };
    for (const object of objects) {
      try {
        result.deleted.push(await this.delete({ bucket, ...object }, options));
      } catch (error) {
        if (!(error instanceof ObjectStoreError)) throw error;
        result.failed.push({ key: object.key, versionId: object.versionId ?? null, error });
      }
    }
    return result;
  }

  async listObjects(query: ListQuery): Promise<ObjectPage> {
    const maxKeys = clampMaxKeys(query.maxKeys);
    const after = query.continuationToken ? decodeToken(query.continuationToken, isKeyToken).k : null;
    const objects: ObjectPage['objects'] = [];
    for await (const { key, dir } of this.walkBucket(query.bucket, query.prefix ?? '', after === null ? null : { key: after, inclusive: false })) {
      const latest = await latestRecord(dir);
      if (!latest || latest.deleteMarker) continue;
      if (objects.length === maxKeys) return { objects, nextContinuationToken: encodeToken({ k: objects.at(-1)!.key }) };
      objects.push({
        key: key.toString('utf8'),
        size: latest.size,
        etag: latest.etag,
        lastModified: new Date(latest.lastModified),
        storageClass: latest.storageClass,
      });
    }
    return { objects, nextContinuationToken: null };
  }

  async listVersions(query: ListQuery): Promise<VersionPage> {
    const maxKeys = clampMaxKeys(query.maxKeys);
    const after = query.continuationToken ? decodeToken(query.continuationToken, isVersionToken) : null;
    const versions: VersionPage['versions'] = [];
    let lastSeq = 0;
    for await (const { key, dir } of this.walkBucket(query.bucket, query.prefix ?? '', after && { key: after.k, inclusive: true })) {
      const name = key.toString('utf8');
      const records = await readRecords(dir);
      for (const [index, record] of records.entries()) {
        if (after && name === after.k && record.seq >= after.s) continue;
        if (versions.length === maxKeys) return { versions, nextContinuationToken: encodeToken({ k: versions.at(-1)!.key, s: lastSeq }) };
        const common = { key: name, versionId: record.versionId, isLatest: index === 0, lastModified: new Date(record.lastModified) };
        versions.push(
          record.deleteMarker
            ? { isDeleteMarker: true, ...common }
            : { isDeleteMarker: false, ...common, size: record.size, etag: record.etag, storageClass: record.storageClass },
        );
        lastSeq = record.seq;
      }
    }
    return { versions, nextContinuationToken: null };
  }

  /** Starts at the deepest folder the prefix names whole ("a/b/c" starts in a/b/). */
  private walkBucket(bucket: string, prefix: string, from: { key: string; inclusive: boolean } | null): AsyncGenerator<Walked> {
    const folders = prefix.split('/').slice(0, -1);
    const dir = path.join(this.bucketDir(bucket), ...folders.map((s) => `p${encodeSegment(s)}`));
    const base = Buffer.from(folders.map((s) => `${s}/`).join(''), 'utf8');
    return walk(dir, base, Buffer.from(prefix, 'utf8'), from && { key: Buffer.from(from.key, 'utf8'), inclusive: from.inclusive });
  }

  async putRetention(ref: ObjectRef, retention: Retention | null, options: DeleteOptions = {}): Promise<void> {
    return this.exclusive(ref.bucket, async () => {
      this.lockEnabled(ref.bucket, ref.key);
      const now = this.now();
      if (retention) assertRetention(retention, now, ref);
      const { keyDir, record } = await this.resolve(ref);
      const lock = await this.readLock(keyDir, record.versionId);
      const current = lock.retention && lock.retention.retainUntil.getTime() > now.getTime() ? lock.retention : null;
      if (current) {
        const extended = retention !== null && retention.retainUntil.getTime() >= current.retainUntil.getTime();
        const allowed =
          current.mode === 'COMPLIANCE' ? extended && retention?.mode === 'COMPLIANCE' : extended || Boolean(options.bypassGovernanceRetention);
        if (!allowed) {
          throw new ObjectLockedError(ref.bucket, ref.key, record.versionId, 'retention', current, lock.legalHold, 'change-retention');
        }
      }
      await this.writeLock(keyDir, record.versionId, retention, lock.legalHold);
    });
  }

  async getRetention(ref: ObjectRef): Promise<Retention | null> {
    const { keyDir, record } = await this.resolve(ref);
    return (await this.readLock(keyDir, record.versionId)).retention;
  }

  async putLegalHold(ref: ObjectRef, on: boolean): Promise<void> {
    return this.exclusive(ref.bucket, async () => {
      this.lockEnabled(ref.bucket, ref.key);
      const { keyDir, record } = await this.resolve(ref);
      const lock = await this.readLock(keyDir, record.versionId);
      await this.writeLock(keyDir, record.versionId, lock.retention, on);
    });
  }

  async getLegalHold(ref: ObjectRef): Promise<boolean> {
    const { keyDir, record } = await this.resolve(ref);
    return (await this.readLock(keyDir, record.versionId)).legalHold;
  }
}
