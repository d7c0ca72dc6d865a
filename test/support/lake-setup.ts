import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { refreshLocalAccessIndex } from '@/lib/boot/local-access-index';
import { compactLake } from '@/lib/lake/compact';
import { generateLake } from '@/lib/lake/generate';
import { DEFAULT_LAYOUT } from '@/lib/lake/layout';

declare module 'vitest' {
  export interface ProvidedContext {
    testLake: { raw: string; compacted: string; indexed: string; mixed: string };
  }
}

export const TEST_LAKE_OPTIONS = { days: 21, seed: 11, eventsPerDay: 1500, end: '2026-10-31' } as const;

/**
 * One generated lake for the unit project, in four states: as delivered (raw), compacted, compacted
 * with the access index over every day (indexed), and with the index leaving the last days to the
 * raw logs as it does while they are still delivered (mixed).
 */
export default async function setup(project: TestProject) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-lake-'));
  const raw = path.join(root, 'raw');
  const compacted = path.join(root, 'compacted');
  await generateLake({ outDir: raw, layout: DEFAULT_LAYOUT, ...TEST_LAKE_OPTIONS });
  fs.cpSync(raw, compacted, { recursive: true });
  await compactLake({ dir: compacted, layout: DEFAULT_LAYOUT }, {});
  const mixed = path.join(root, 'mixed');
  const indexed = path.join(root, 'indexed');
  fs.cpSync(compacted, mixed, { recursive: true });
  await refreshLocalAccessIndex({ dir: mixed, layout: DEFAULT_LAYOUT }, { lagDays: 3 });
  fs.cpSync(mixed, indexed, { recursive: true });
  await refreshLocalAccessIndex({ dir: indexed, layout: DEFAULT_LAYOUT }, { lagDays: 0 });
  project.provide('testLake', { raw, compacted, indexed, mixed });
  return () => fs.rmSync(root, { recursive: true, force: true });
}
