// The lake directory: created when missing, reused only when it holds a previous generation (the
// marker file), and then cleared of exactly the entries a generation writes.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { LakeLayout } from '@/lib/lake/tables';

export const METADATA_DIR = '_custos';
export const MARKER = `${METADATA_DIR}/generation.json`;
export const PUBLIC_KEYS_DIR = `${METADATA_DIR}/cloudtrail-public-keys`;
export const TRUTH_FILE = 'truth.json';
/** The demo archive (object versions and image sets) the logs speak of: lib/lake/generate/archive.ts. */
export const ARCHIVE_DIR = 'archive';

/** Where the local object store (bucket folders) and the local image-set store keep the demo archive. */
export function archivePaths(lakeDir: string): { objects: string; imageSets: string } {
  return { objects: path.join(lakeDir, ARCHIVE_DIR, 'objects'), imageSets: path.join(lakeDir, ARCHIVE_DIR, 'image-sets') };
}

function topLevel(prefix: string): string {
  return prefix.split('/').find((s) => s !== '') ?? '';
}

/** Top-level names a generation owns; `_custos/` also holds data derived from the lake (compaction). */
export function ownedEntries(layout: LakeLayout): Set<string> {
  return new Set(
    [
      topLevel(`${layout.cloudtrailPrefix}AWSLogs`),
      topLevel(layout.accessLogPrefix),
      topLevel(layout.inventoryPrefix),
      topLevel(layout.catalogPrefix),
      METADATA_DIR,
      TRUTH_FILE,
      ARCHIVE_DIR,
    ].filter((s) => s !== ''),
  );
}

export async function prepareOutDir(outDir: string, layout: LakeLayout, marker: unknown): Promise<void> {
  await fs.mkdir(outDir, { recursive: true });
  const entries = await fs.readdir(outDir);
  if (entries.length > 0) {
    const hasMarker = await fs.stat(path.join(outDir, MARKER)).then(
      (s) => s.isFile(),
      () => false,
    );
    if (!hasMarker) {
      throw new Error(`Refusing to generate into ${outDir}: it is not empty and does not hold a previously generated lake.`);
    }
    const owned = ownedEntries(layout);
    const foreign = entries.filter((e) => !owned.has(e));
    if (foreign.length > 0) {
      throw new Error(`Refusing to generate into ${outDir}: it holds entries a generation does not write (${foreign.slice(0, 5).join(', ')}).`);
    }
    for (const e of entries) await fs.rm(path.join(outDir, e), { recursive: true, force: true });
  }
  await fs.mkdir(path.join(outDir, METADATA_DIR), { recursive: true });
  await fs.writeFile(path.join(outDir, MARKER), `${JSON.stringify(marker, null, 2)}\n`);
}
