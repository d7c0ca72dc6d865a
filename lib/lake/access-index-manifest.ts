// The embedded access index (_custos/index/access): one zstd Parquet file per UTC day of accesses,
// listed in a manifest with the inputs each day was built from. Readers use only what the manifest
// lists and only up to its watermark, so a file being written, or a day whose logs changed since,
// is never read.
import fs from 'node:fs/promises';
import path from 'node:path';
import { writeFileDurably } from './compact-manifest';
import { CUSTOS_DIR } from './scan';
import type { LakeLocation } from './tables';

export const ACCESS_INDEX_DIR = `${CUSTOS_DIR}/index/access`;
const MANIFEST = `${ACCESS_INDEX_DIR}/manifest.json`;

/** Columns of an index row, in file order (all text); `day` is the UTC day of event_time. */
export const ACCESS_INDEX_COLUMNS = [
  'event_time',
  'principal',
  'person',
  'role',
  'action',
  'source',
  'image_set_id',
  'bucket',
  'object_key',
  'study_prefix',
  'source_ip',
  'user_agent',
  'outcome',
  'sources',
  'request_id',
  'event_id',
  'day',
] as const;

export type IndexedDay = {
  /** Lake-relative Parquet file; null when the day had no accesses. */
  file: string | null;
  bytes: number;
  rows: number;
  /** SHA-256 of the log partitions the day was built from (the day before, the day, the day after). */
  inputs: string;
};

export type AccessIndexManifest = {
  version: 1;
  days: Record<string, IndexedDay>;
  /** The first day the index holds: the lake's first delivery day (null: nothing indexed). */
  from: string | null;
  /** Every day from `from` to this one is indexed and current (null: none). */
  through: string | null;
};

export const emptyAccessIndex = (): AccessIndexManifest => ({ version: 1, days: {}, from: null, through: null });

export async function readAccessIndexManifest(lake: LakeLocation): Promise<AccessIndexManifest> {
  try {
    const manifest = JSON.parse(await fs.readFile(path.join(lake.dir, MANIFEST), 'utf8')) as AccessIndexManifest;
    if (manifest.version !== 1 || typeof manifest.days !== 'object') throw new Error(`${MANIFEST} has an unknown format`);
    return manifest;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyAccessIndex();
    throw error;
  }
}

export async function writeAccessIndexManifest(lake: LakeLocation, manifest: AccessIndexManifest): Promise<void> {
  const file = path.join(lake.dir, MANIFEST);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await writeFileDurably(file, JSON.stringify(manifest));
}

/** The index files holding the days from `from` to `to` (absolute paths) and their sizes. */
export function indexFiles(lake: LakeLocation, manifest: AccessIndexManifest, from: string, to: string): { file: string; bytes: number }[] {
  return Object.entries(manifest.days)
    .filter(([day, entry]) => day >= from && day <= to && entry.file)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([, entry]) => ({ file: path.join(lake.dir, entry.file!), bytes: entry.bytes }));
}
