// Defaults, validation and scale of a generation run.
import os from 'node:os';
import { DEMO_CATALOG_KEY } from '@/lib/phi';
import { DEFAULT_LAYOUT } from '@/lib/lake/layout';
import { addDays, dayStart } from './time';
import type { LakeLayout } from '@/lib/lake/tables';

export type GenerateOptions = {
  /** Lake root; created if missing. A directory holding anything but a previous generation is refused. */
  outDir: string;
  /** Window length in days (default 30). */
  days?: number;
  /** Seed of every random choice (default 1). */
  seed?: number;
  /** CloudTrail records per day across all accounts and regions, approximately (default 2000). */
  eventsPerDay?: number;
  /** Last day of the window, YYYY-MM-DD (default '2026-10-31'). */
  end?: string;
  layout?: LakeLayout;
  /** HMAC key of the catalog's patient_id_hash (default DEMO_CATALOG_KEY). */
  catalogKey?: string;
  /** Worker threads for the day files; 0 runs everything in this thread. Output is identical either way. */
  workers?: number;
  /** Also write the archive the logs speak of (object versions and image sets; default true). */
  archive?: boolean;
  onProgress?: (p: { day: string; eventsWritten: number }) => void;
};

export type ResolvedOptions = {
  outDir: string;
  days: number;
  seed: number;
  eventsPerDay: number;
  end: string;
  from: string;
  layout: LakeLayout;
  catalogKey: string;
  workers: number;
  archive: boolean;
  /** Window start (inclusive) and end (exclusive), epoch ms. */
  startMs: number;
  endMs: number;
};

export const MIN_DAYS = 5;
export const MAX_DAYS = 3660;
export const MIN_EVENTS_PER_DAY = 400;

export function resolveOptions(opts: GenerateOptions): ResolvedOptions {
  const days = opts.days ?? 30;
  const seed = opts.seed ?? 1;
  const eventsPerDay = opts.eventsPerDay ?? 2000;
  const end = opts.end ?? '2026-10-31';
  if (!opts.outDir) throw new Error('outDir is required');
  if (!Number.isInteger(days) || days < MIN_DAYS || days > MAX_DAYS) {
    throw new Error(`days must be an integer from ${MIN_DAYS} to ${MAX_DAYS}`);
  }
  if (!Number.isSafeInteger(seed)) throw new Error('seed must be an integer');
  if (!Number.isInteger(eventsPerDay) || eventsPerDay < MIN_EVENTS_PER_DAY || eventsPerDay > 5_000_000) {
    throw new Error(`eventsPerDay must be an integer from ${MIN_EVENTS_PER_DAY} to 5000000`);
  }
  const endStart = dayStart(end);
  const from = addDays(end, -(days - 1));
  // One worker leaves a core for gzip, GC and the main thread (inventory, digests) on small machines.
  const cores = os.availableParallelism();
  const workers = opts.workers ?? (cores >= 4 ? Math.min(3, cores - 1) : 1);
  if (!Number.isInteger(workers) || workers < 0 || workers > 64) throw new Error('workers must be an integer from 0 to 64');
  return {
    outDir: opts.outDir,
    days,
    seed,
    eventsPerDay,
    end,
    from,
    layout: opts.layout ?? DEFAULT_LAYOUT,
    catalogKey: opts.catalogKey ?? DEMO_CATALOG_KEY,
    workers,
    archive: opts.archive ?? true,
    startMs: dayStart(from),
    endMs: endStart + 86_400_000,
  };
}

export type Scale = { studies: number; clinicians: number };

/** Archive and staff grow sublinearly with log volume so inventories stay a few million rows. */
export function scaleFor(days: number, eventsPerDay: number): Scale {
  const total = days * eventsPerDay;
  const studies = Math.min(40_000, Math.max(900, Math.round(1500 * Math.sqrt(total / 60_000))));
  const clinicians = Math.min(800, Math.max(70, Math.round(120 * Math.sqrt(eventsPerDay / 2000))));
  return { studies, clinicians };
}
