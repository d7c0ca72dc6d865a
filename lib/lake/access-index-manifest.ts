// The embedded access index (_custos/index/access): one zstd Parquet file per UTC day of accesses,
// listed in a manifest with the inputs each day was built from; once a calendar month is indexed
// through, its days are merged into one file for the month, sorted again, so a year is a dozen
// files whose row groups each hold a narrow range of image sets and study prefixes. Readers use
// only what the manifest lists and only up to its watermark, so a file being written, or a day
// whose logs changed since, is never read.
import fs from 'node:fs/promises';
import path from 'node:path';
import { writeFileDurably } from './compact-manifest';
import { CUSTOS_DIR } from './scan';
import type { LakeLocation } from './tables';
import { readUnlessUnchanged, type ParsedFiles } from './unchanged-file';

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
  /** The month (YYYY-MM) whose file now holds the day's rows (`file` is then null). */
  month?: string;
};

export type IndexedMonth = {
  /** Lake-relative Parquet file with the rows of `days`; null when they had no accesses. */
  file: string | null;
  bytes: number;
  rows: number;
  /** The days merged into it, in order. */
  days: string[];
};

export type AccessIndexManifest = {
  version: 1;
  days: Record<string, IndexedDay>;
  /** Months whose days were merged into one file (absent in manifests written before months were). */
  months?: Record<string, IndexedMonth>;
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

// keyed by inode too: every write is a new file renamed into place, so two writes never look alike
const cache: ParsedFiles<AccessIndexManifest> = new Map();

/**
 * The manifest as readers see it, read again only when the file changed: shared between readers,
 * so do not modify it (a build works on its own copy from readAccessIndexManifest).
 */
export async function currentAccessIndexManifest(lake: LakeLocation): Promise<AccessIndexManifest> {
  return readUnlessUnchanged(cache, path.join(lake.dir, MANIFEST), () => readAccessIndexManifest(lake), emptyAccessIndex);
}

export async function writeAccessIndexManifest(lake: LakeLocation, manifest: AccessIndexManifest): Promise<void> {
  const file = path.join(lake.dir, MANIFEST);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await writeFileDurably(file, JSON.stringify(manifest));
}

/**
 * The index files holding the days from `from` to `to` (absolute paths) and their sizes: day files,
 * and month files holding any of those days (a reader still filters on `day`).
 */
export function indexFiles(lake: LakeLocation, manifest: AccessIndexManifest, from: string, to: string): { file: string; bytes: number }[] {
  const inWindow = (day: string) => day >= from && day <= to;
  const days = Object.entries(manifest.days)
    .filter(([day, entry]) => inWindow(day) && entry.file)
    .map(([day, entry]) => ({ first: day, file: entry.file!, bytes: entry.bytes }));
  const months = Object.values(manifest.months ?? {})
    .filter((month) => month.file && month.days.some(inWindow))
    .map((month) => ({ first: month.days[0]!, file: month.file!, bytes: month.bytes }));
  return [...days, ...months]
    .sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0))
    .map((f) => ({ file: path.join(lake.dir, f.file), bytes: f.bytes }));
}

/** Every file the manifest lists, lake-relative. */
export function listedIndexFiles(manifest: AccessIndexManifest): string[] {
  const days = Object.values(manifest.days).flatMap((d) => (d.file ? [d.file] : []));
  const months = Object.values(manifest.months ?? {}).flatMap((m) => (m.file ? [m.file] : []));
  return [...days, ...months];
}
