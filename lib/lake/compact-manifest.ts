// The compaction manifest (_custos/compact/manifest.json): per partition, its current Parquet
// file and the raw objects (with fingerprints) it holds. Views read only what it references, so
// a file written but not yet listed, or listed no more, is invisible.
import fs from 'node:fs/promises';
import path from 'node:path';
import { CUSTOS_DIR, type RawFile } from './scan';
import type { Rejection } from './sources/types';
import type { LakeTable, LakeLocation } from './tables';
import { readUnlessUnchanged, type ParsedFiles } from './unchanged-file';

export const COMPACT_DIR = `${CUSTOS_DIR}/compact`;
export const MANIFEST_KEY = `${COMPACT_DIR}/manifest.json`;

export type CoveredSource = {
  path: string;
  fingerprint: string;
  records: number;
  rejected: Rejection[];
  /** Bytes of uncompressed JSON/text parsed from the object. */
  textBytes: number;
};

export type CompactedPartition = {
  table: LakeTable;
  /** The raw partition folder (scan.ts RawPartition.id). */
  id: string;
  day: string;
  /** Lake-relative Parquet file; null when the covered objects held no rows. */
  parquet: { path: string; bytes: number; rows: number } | null;
  sources: CoveredSource[];
};

export type CompactManifest = { version: 1; partitions: Record<string, CompactedPartition> };

export const partitionKey = (table: LakeTable, id: string) => `${table}:${id}`;

const cache: ParsedFiles<CompactManifest> = new Map();

/**
 * The current manifest, shared between readers: do not modify it (a year's manifest runs to tens
 * of megabytes, too much to copy for every query). Writers take a copy with manifestForUpdate.
 */
export async function readCompactManifest(lake: LakeLocation): Promise<CompactManifest> {
  const file = path.join(lake.dir, MANIFEST_KEY);
  return readUnlessUnchanged(
    cache,
    file,
    async () => {
      // one buffer decoded once: reading as text decodes chunk by chunk and joins them (about 45 MB more garbage for a year)
      const manifest = JSON.parse((await fs.readFile(file)).toString('utf8')) as CompactManifest;
      if (manifest.version !== 1 || typeof manifest.partitions !== 'object') throw new Error(`${MANIFEST_KEY} has an unknown format`);
      return manifest;
    },
    () => ({ version: 1, partitions: {} }),
  );
}

const fingerprintIndex = new WeakMap<CompactManifest, Map<string, string>>();

/** Path → fingerprint of every raw object the manifest's partitions hold (built once per manifest). */
export function coveredFingerprints(manifest: CompactManifest): Map<string, string> {
  let index = fingerprintIndex.get(manifest);
  if (!index) {
    index = new Map();
    for (const partition of Object.values(manifest.partitions)) for (const s of partition.sources) index.set(s.path, s.fingerprint);
    fingerprintIndex.set(manifest, index);
  }
  return index;
}

/** A private copy of the current manifest, for a writer to change and write back. */
export async function manifestForUpdate(lake: LakeLocation): Promise<CompactManifest> {
  return structuredClone(await readCompactManifest(lake));
}

/** Writes `data` to `file` so that readers see either the old or the new content, never a torn one. */
export async function writeFileDurably(file: string, data: string | Buffer): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
  const handle = await fs.open(tmp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(tmp, file);
  await syncDir(path.dirname(file));
}

export async function fsyncFile(file: string): Promise<void> {
  const handle = await fs.open(file, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function syncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function writeCompactManifest(lake: LakeLocation, manifest: CompactManifest): Promise<void> {
  const file = path.join(lake.dir, MANIFEST_KEY);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await writeFileDurably(file, JSON.stringify(manifest));
}

export type PartitionCoverage =
  /** The Parquet file is current for every object it covers; `uncovered` are objects added since. */
  | { usable: true; uncovered: RawFile[] }
  /** A covered object changed: the partition must be read (and rebuilt) from its raw objects. */
  | { usable: false };

export function partitionCoverage(entry: CompactedPartition | undefined, files: RawFile[]): PartitionCoverage {
  if (!entry) return { usable: true, uncovered: files };
  const covered = new Map(entry.sources.map((s) => [s.path, s.fingerprint]));
  const uncovered: RawFile[] = [];
  for (const file of files) {
    const fingerprint = covered.get(file.path);
    if (fingerprint === undefined) uncovered.push(file);
    else if (fingerprint !== file.fingerprint) return { usable: false };
  }
  return { usable: true, uncovered };
}
