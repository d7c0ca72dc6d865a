import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { compactLake } from '@/lib/lake/compact';
import { generateLake } from '@/lib/lake/generate';
import { DEFAULT_LAYOUT } from '@/lib/lake/layout';

declare module 'vitest' {
  export interface ProvidedContext {
    testLake: { raw: string; compacted: string };
  }
}

export const TEST_LAKE_OPTIONS = { days: 21, seed: 11, eventsPerDay: 1500, end: '2026-10-31' } as const;

/** One generated lake for the unit project: as delivered (raw) and a compacted copy of it. */
export default async function setup(project: TestProject) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-lake-'));
  const raw = path.join(root, 'raw');
  const compacted = path.join(root, 'compacted');
  await generateLake({ outDir: raw, layout: DEFAULT_LAYOUT, ...TEST_LAKE_OPTIONS });
  fs.cpSync(raw, compacted, { recursive: true });
  await compactLake({ dir: compacted, layout: DEFAULT_LAYOUT }, {});
  project.provide('testLake', { raw, compacted });
  return () => fs.rmSync(root, { recursive: true, force: true });
}
