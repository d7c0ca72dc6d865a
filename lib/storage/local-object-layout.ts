// The local object store's files on disk, shared by the store (lib/storage/local-object-store.ts)
// and the demo lake generator, which writes the archive bucket's versions directly: the same
// version ids, sizes, ETags and Object Lock as the S3 Inventory it writes.
import fs from 'node:fs';
import path from 'node:path';

export type VersionRecord = {
  versionId: string;
  seq: number;
  deleteMarker: boolean;
  lastModified: string;
  size: number;
  etag: string;
  sha256: string;
  storageClass: string;
  contentType: string | null;
  metadata: Record<string, string>;
};

export type LockRecord = { retention: { mode: 'COMPLIANCE' | 'GOVERNANCE'; retainUntil: string } | null; legalHold: boolean };

const UNESCAPED = new Set(Buffer.from('abcdefghijklmnopqrstuvwxyz0123456789._-'));

// Lower-case letters, digits and ._- stay; every other byte is %XX, so names are safe on
// case-insensitive file systems. The k/p prefix tells keys from folders and rules out '.' and '..'.
export function encodeSegment(segment: string): string {
  let out = '';
  for (const byte of Buffer.from(segment, 'utf8')) {
    out += UNESCAPED.has(byte) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function decodeSegment(name: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < name.length; i++) {
    if (name[i] === '%') {
      bytes.push(parseInt(name.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(name.charCodeAt(i));
  }
  return Buffer.from(bytes);
}

export const recordName = (seq: number) => `${String(seq).padStart(12, '0')}.json`;

/** The folder of one key: `<root>/<bucket>/p<segment>/…/k<last segment>`. */
export function keyFolder(root: string, bucket: string, key: string): string {
  const segments = key.split('/').map(encodeSegment);
  return path.join(root, bucket, ...segments.slice(0, -1).map((s) => `p${s}`), `k${segments.at(-1)}`);
}

export type SeedVersion = Omit<VersionRecord, 'seq'> & {
  /** The stored bytes; the record keeps its own size (a placeholder may stand for a larger object). */
  body: Buffer | null;
  lock: LockRecord | null;
};

/**
 * Writes a key's versions, oldest first, into an empty key folder — for generators that build a
 * store before anything reads it (no fsync, no concurrency: the store's own writes do both).
 */
export function seedKeyVersions(root: string, bucket: string, key: string, versions: SeedVersion[]): void {
  const dir = keyFolder(root, bucket, key);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  versions.forEach(({ body, lock, ...record }, index) => {
    if (body) fs.writeFileSync(path.join(dir, `${record.versionId}.data`), body, { mode: 0o600, flag: 'wx' });
    if (lock) fs.writeFileSync(path.join(dir, `${record.versionId}.lock.json`), JSON.stringify(lock), { mode: 0o600, flag: 'wx' });
    fs.writeFileSync(path.join(dir, recordName(index + 1)), JSON.stringify({ ...record, seq: index + 1 }), { mode: 0o600, flag: 'wx' });
  });
}
