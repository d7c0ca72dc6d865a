// The lakes a bench measures: generated once per option set and reused after, and compacted from
// raw on every run so compaction is always timed over the whole lake.
import fs from 'node:fs/promises';
import path from 'node:path';
import { compactLake, type CompactSummary } from '@/lib/lake/compact';
import { COMPACT_DIR } from '@/lib/lake/compact-manifest';
import { generateLake, type Truth } from '@/lib/lake/generate';
import { resolveOptions } from '@/lib/lake/generate/options';
import { MARKER, METADATA_DIR, TRUTH_FILE } from '@/lib/lake/generate/out-dir';
import { DEFAULT_LAYOUT } from '@/lib/lake/layout';
import { STAGE_DIR } from '@/lib/lake/stage';
import { elapsedSeconds, perSecond, round } from './figures';
import type { RssSampler } from './rss-sampler';
import type { LakeLocation } from '@/lib/lake/tables';

export type Log = (line: string) => void;

export type LakeSpec = { dir: string; days: number; eventsPerDay: number; seed: number };

export type GenerationFigures = {
  /** Null when the lake was reused and no earlier bench recorded its generation. */
  seconds: number | null;
  eventsPerSecond: number | null;
  events: number;
  files: number;
  bytes: number;
  peakRssBytes: number | null;
  reused: boolean;
};

export type BenchLake = { location: LakeLocation; truth: Truth; generate: GenerationFigures };

// Inside _custos/, which a regeneration clears, so a stale record never outlives its lake.
const RECORD_FILE = `${METADATA_DIR}/bench-generation.json`;

async function readJson<T>(file: string): Promise<T | null> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

async function reusable(spec: LakeSpec): Promise<Truth | null> {
  const truth = await readJson<Truth>(path.join(spec.dir, TRUTH_FILE));
  const marker = await readJson<{ seed?: number }>(path.join(spec.dir, MARKER));
  if (!truth || !marker) return null;
  const wanted = resolveOptions({ outDir: spec.dir, days: spec.days, eventsPerDay: spec.eventsPerDay, seed: spec.seed });
  const same =
    truth.seed === wanted.seed &&
    truth.options.days === wanted.days &&
    truth.options.eventsPerDay === wanted.eventsPerDay &&
    truth.options.end === wanted.end;
  return same ? truth : null;
}

/** Reuses the lake in `spec.dir` when it was generated with the same options (unless `fresh`), else generates it. */
export async function prepareLake(spec: LakeSpec, fresh: boolean, sampler: RssSampler, log: Log): Promise<BenchLake> {
  const location: LakeLocation = { dir: spec.dir, layout: DEFAULT_LAYOUT };
  const existing = fresh ? null : await reusable(spec);
  if (existing) {
    const record = await readJson<GenerationFigures>(path.join(spec.dir, RECORD_FILE));
    log(`Reusing the ${spec.days}-day lake in ${spec.dir} (same seed and options; --fresh regenerates it).`);
    const generate: GenerationFigures = record
      ? { ...record, reused: true }
      : { seconds: null, eventsPerSecond: null, events: 0, files: 0, bytes: 0, peakRssBytes: null, reused: true };
    return { location, truth: existing, generate };
  }
  log(`Generating a ${spec.days}-day lake at ${spec.eventsPerDay.toLocaleString('en-US')} events/day in ${spec.dir} …`);
  const started = performance.now();
  let lastLogged = started;
  const watched = await sampler.watch(() =>
    generateLake({
      outDir: spec.dir,
      layout: DEFAULT_LAYOUT,
      days: spec.days,
      eventsPerDay: spec.eventsPerDay,
      seed: spec.seed,
      onProgress: (p) => {
        if (performance.now() - lastLogged < 30_000) return;
        lastLogged = performance.now();
        log(`  ${p.day}: ${p.eventsWritten.toLocaleString('en-US')} events, ${Math.round(elapsedSeconds(started))} s`);
      },
    }),
  );
  const seconds = elapsedSeconds(started);
  const summary = watched.value;
  const generate: GenerationFigures = {
    seconds: round(seconds, 1),
    eventsPerSecond: perSecond(summary.events, seconds),
    events: summary.events,
    files: summary.files,
    bytes: summary.bytes,
    peakRssBytes: watched.peakRssBytes,
    reused: false,
  };
  await fs.writeFile(path.join(spec.dir, RECORD_FILE), `${JSON.stringify(generate, null, 2)}\n`);
  const truth = JSON.parse(await fs.readFile(summary.truthPath, 'utf8')) as Truth;
  log(`  ${summary.events.toLocaleString('en-US')} events in ${generate.seconds} s (${generate.eventsPerSecond} events/s).`);
  return { location, truth, generate };
}

export type CompactionFigures = {
  seconds: number;
  megabytes: number;
  megabytesPerSecond: number;
  records: number;
  rawFiles: number;
  partitions: number;
  parquetBytes: number;
  peakRssBytes: number;
};

async function treeBytes(dir: string): Promise<number> {
  let total = 0;
  for (const e of await fs.readdir(dir, { withFileTypes: true, recursive: true }).catch(() => [])) {
    if (e.isFile()) total += (await fs.stat(path.join(e.parentPath, e.name))).size;
  }
  return total;
}

/** Drops every compacted and staged file, then compacts the whole lake from its raw objects. */
export async function compactFromRaw(lake: LakeLocation, sampler: RssSampler, log: Log): Promise<CompactionFigures> {
  for (const derived of [COMPACT_DIR, STAGE_DIR, `${METADATA_DIR}/tmp`]) {
    await fs.rm(path.join(lake.dir, derived), { recursive: true, force: true });
  }
  log(`Compacting ${lake.dir} from raw …`);
  let lastLogged = performance.now();
  const watched = await sampler.watch(() =>
    compactLake(lake, {
      onProgress: (p) => {
        if (performance.now() - lastLogged < 30_000) return;
        lastLogged = performance.now();
        log(`  ${p.partitionsDone}/${p.partitionsTotal} partitions`);
      },
    }),
  );
  const s: CompactSummary = watched.value;
  if (s.rejectedFiles > 0 || s.rejectedRecords > 0) {
    log(`  warning: ${s.rejectedFiles} objects and ${s.rejectedRecords} records were rejected`);
  }
  const figures: CompactionFigures = {
    seconds: s.seconds,
    megabytes: s.megabytesProcessed,
    megabytesPerSecond: s.megabytesPerSecond,
    records: s.records,
    rawFiles: s.rawFiles,
    partitions: s.partitionsWritten,
    parquetBytes: await treeBytes(path.join(lake.dir, COMPACT_DIR)),
    peakRssBytes: watched.peakRssBytes,
  };
  log(`  ${s.records.toLocaleString('en-US')} records, ${s.megabytesProcessed} MB in ${s.seconds} s (${s.megabytesPerSecond} MB/s).`);
  return figures;
}
