// Compaction: raw CloudTrail and access-log objects (and CSV inventory reports) become one zstd
// Parquet file per partition (source folder × day) under _custos/compact, with exactly the table's
// visible columns. Incremental and crash-safe: new files are written under temporary names,
// fsynced and renamed, then the manifest is replaced atomically; a file the manifest does not
// reference is never read and is removed by the next run. Worker threads parse the next
// partitions while DuckDB writes the current one.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import {
  COMPACT_DIR,
  partitionCoverage,
  partitionKey,
  manifestForUpdate,
  writeCompactManifest,
  type CompactManifest,
  type CompactedPartition,
  type CoveredSource,
} from './compact-manifest';
import type { ParsedPartition, PartitionJob } from './compact-parse';
import { parserSizing, startPartitionParser, type PartitionParser } from './compact-pool';
import { writePartition } from './compact-write';
import { acquireLakeLock } from './lock';
import { CUSTOS_DIR, scanLake, type RawFile, type RawPartition } from './scan';
import { isReadInPlace, pruneStage, stageKey } from './stage';
import { COMPACTED_TABLES, LAKE_TABLES, type LakeLocation, type LakeTable } from './tables';
import { filesUnder } from './list-files';

export type CompactProgress = { table: LakeTable; partition: string; partitionsDone: number; partitionsTotal: number };

/** Durable points of a run; a hook that throws stops the run there (as a crash would). */
export type CompactStep =
  | { step: 'parquet-written'; table: LakeTable; partition: string; file: string }
  | { step: 'manifest-written'; partitions: number };

export type CompactOptions = {
  signal?: AbortSignal;
  onProgress?: (progress: CompactProgress) => void;
  onStep?: (step: CompactStep) => void;
  /** Rows per Parquet row group. */
  rowGroupSize?: number;
  /** Worker threads parsing raw objects; 0 parses in this thread. Default: one per core, none for a small job. */
  workers?: number;
  /** Old-generation heap limit of each worker, in MB. Default: enough for the largest CloudTrail object. */
  workerHeapMb?: number;
};

export type CompactSummary = {
  /** Raw objects parsed in this run. */
  rawFiles: number;
  records: number;
  rejectedRecords: number;
  rejectedFiles: number;
  /** Uncompressed JSON/text parsed, in MB (10^6 bytes). */
  megabytesProcessed: number;
  partitionsWritten: number;
  partitionsUpToDate: number;
  /** Superseded or orphaned files deleted. */
  filesRemoved: number;
  seconds: number;
  megabytesPerSecond: number;
};

const MANIFEST_FLUSH_PARTITIONS = 100;
const MANIFEST_FLUSH_MS = 15_000;
/** Bytes of staged lines a parser holds to sort a partition itself (beyond that, DuckDB sorts). */
const HOLD_BYTES = 64 << 20;

const isCompactable = (p: RawPartition) =>
  COMPACTED_TABLES.includes(p.table) && p.files.every((f) => f.kind === 'cloudtrail' || f.kind === 'access-log' || f.kind === 'inventory-csv');

/** Deletes compacted files the manifest does not reference (left by a crash or superseded). */
async function removeUnreferenced(lake: LakeLocation, manifest: CompactManifest): Promise<number> {
  const referenced = new Set(
    Object.values(manifest.partitions).flatMap((p) => (p.parquet ? [path.join(lake.dir, p.parquet.path)] : [])),
  );
  let removed = 0;
  for (const table of LAKE_TABLES) {
    for (const file of await filesUnder(path.join(lake.dir, COMPACT_DIR, table))) {
      if (referenced.has(file)) continue;
      await fs.rm(file, { force: true });
      removed++;
    }
  }
  return removed;
}

function throwIfAborted(signal: AbortSignal | undefined) {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('compaction cancelled');
}

type Todo = { partition: RawPartition; base: CompactedPartition | null; files: RawFile[] };
type Launched = { job: PartitionJob; parsed: Promise<ParsedPartition> };

/** Staged files of a run that stopped before removing them (the lock is held: no run uses them). */
async function removeStaleStaging(tmpDir: string): Promise<void> {
  const names = await fs.readdir(tmpDir).catch(() => [] as string[]);
  await Promise.all(names.filter((n) => n.startsWith('compact-')).map((n) => fs.rm(path.join(tmpDir, n), { force: true })));
}

export async function compactLake(lake: LakeLocation, options: CompactOptions = {}): Promise<CompactSummary> {
  const started = performance.now();
  const release = await acquireLakeLock(path.join(lake.dir, COMPACT_DIR, '.lock'), 'compaction');
  const tmpDir = path.join(lake.dir, CUSTOS_DIR, 'tmp');
  await fs.mkdir(tmpDir, { recursive: true });
  await removeStaleStaging(tmpDir);
  // One DuckDB thread: the workers keep the other cores busy, and idle DuckDB threads spin.
  const instance = await DuckDBInstance.create(':memory:', { threads: '1', temp_directory: path.join(tmpDir, 'duckdb') });
  const conn = await instance.connect();
  const summary: CompactSummary = {
    rawFiles: 0,
    records: 0,
    rejectedRecords: 0,
    rejectedFiles: 0,
    megabytesProcessed: 0,
    partitionsWritten: 0,
    partitionsUpToDate: 0,
    filesRemoved: 0,
    seconds: 0,
    megabytesPerSecond: 0,
  };
  let parser: PartitionParser | null = null;
  const launched = new Map<number, Launched>();
  try {
    await conn.run(`SET TimeZone = 'UTC'`);
    await conn.run('SET preserve_insertion_order = true');
    await conn.run(`SET memory_limit = '1GB'`);
    const manifest = await manifestForUpdate(lake);
    summary.filesRemoved += await removeUnreferenced(lake, manifest);
    const partitions = await scanLake(lake, [...LAKE_TABLES], 'all');
    const todo: Todo[] = [];
    for (const partition of partitions.filter(isCompactable)) {
      const entry = manifest.partitions[partitionKey(partition.table, partition.id)];
      const coverage = partitionCoverage(entry, partition.files);
      if (entry && coverage.usable && coverage.uncovered.length === 0) summary.partitionsUpToDate++;
      else if (entry && coverage.usable) todo.push({ partition, base: entry, files: coverage.uncovered });
      else todo.push({ partition, base: null, files: partition.files });
    }

    const superseded: string[] = [];
    let dirty = 0;
    let flushedAt = performance.now();
    const flush = async () => {
      await writeCompactManifest(lake, manifest);
      dirty = 0;
      flushedAt = performance.now();
      options.onStep?.({ step: 'manifest-written', partitions: Object.keys(manifest.partitions).length });
    };

    const record = (index: number, base: CompactedPartition | null, parsed: ParsedPartition, parquet: CompactedPartition['parquet']) => {
      const { partition } = todo[index]!;
      const sources: CoveredSource[] = parsed.objects.map((s) => ({
        path: s.file.path,
        fingerprint: s.file.fingerprint,
        records: s.records,
        rejected: s.rejected,
        textBytes: s.textBytes,
      }));
      const key = partitionKey(partition.table, partition.id);
      const previous = manifest.partitions[key];
      if (previous?.parquet) superseded.push(previous.parquet.path);
      manifest.partitions[key] = {
        table: partition.table,
        id: partition.id,
        day: partition.day,
        parquet,
        sources: [...(base?.sources ?? []), ...sources],
      };
      summary.partitionsWritten++;
      dirty++;
      options.onProgress?.({ table: partition.table, partition: partition.id, partitionsDone: index + 1, partitionsTotal: todo.length });
    };

    if (todo.length > 0) {
      const sizing = parserSizing(todo.flatMap((t) => t.files), options);
      parser = await startPartitionParser(sizing.threads, lake, { heapMb: sizing.heapMb });
    }
    const ahead = Math.max(2, (parser?.threads ?? 0) * 2);
    const launch = (index: number) => {
      const { partition, files } = todo[index]!;
      const stem = path.join(tmpDir, `compact-${randomUUID()}`);
      const job: PartitionJob = { table: partition.table, partition: partition.id, files, text: `${stem}.txt`, json: `${stem}.ndjson`, holdBytes: HOLD_BYTES };
      const parsed = parser!.parse(job);
      parsed.catch(() => undefined);
      launched.set(index, { job, parsed });
    };

    // Workers parse the next partitions while DuckDB sorts and writes this one.
    for (let i = 0; i < todo.length; i++) {
      throwIfAborted(options.signal);
      for (let j = i; j < Math.min(todo.length, i + ahead); j++) if (!launched.has(j)) launch(j);
      const { job, parsed: parsing } = launched.get(i)!;
      const parsed = await parsing;
      launched.delete(i);
      for (const s of parsed.objects) {
        summary.rawFiles++;
        summary.records += s.records;
        summary.megabytesProcessed += s.textBytes / 1e6;
        for (const r of s.rejected) {
          if (r.line === 0) summary.rejectedFiles++;
          else summary.rejectedRecords++;
        }
      }
      const { partition, base } = todo[i]!;
      let parquet: CompactedPartition['parquet'];
      try {
        parquet = await writePartition(conn, lake, partition, base, { job, parsed }, options.rowGroupSize ?? 65_536);
      } finally {
        await Promise.all([fs.rm(job.text, { force: true }), fs.rm(job.json, { force: true })]);
      }
      if (parquet) options.onStep?.({ step: 'parquet-written', table: partition.table, partition: partition.id, file: parquet.path });
      record(i, base, parsed, parquet);
      if (dirty >= MANIFEST_FLUSH_PARTITIONS || performance.now() - flushedAt > MANIFEST_FLUSH_MS) await flush();
    }
    if (dirty > 0) await flush();
    for (const file of superseded) {
      await fs.rm(path.join(lake.dir, file), { force: true });
      summary.filesRemoved++;
    }
    const inPlace = partitions.flatMap((p) => p.files.filter(isReadInPlace).map(stageKey));
    await pruneStage(lake, new Set(inPlace));
  } finally {
    // Partitions parsed (or being parsed) but not written: stop the parsers, then drop their files.
    await parser?.close();
    await Promise.allSettled([...launched.values()].map((l) => l.parsed));
    await Promise.all([...launched.values()].flatMap(({ job }) => [job.text, job.json].map((f) => fs.rm(f, { force: true }))));
    conn.closeSync();
    instance.closeSync();
    await release();
  }
  summary.seconds = (performance.now() - started) / 1000;
  summary.megabytesProcessed = Math.round(summary.megabytesProcessed * 1000) / 1000;
  summary.megabytesPerSecond = summary.seconds > 0 ? Math.round((summary.megabytesProcessed / summary.seconds) * 100) / 100 : 0;
  summary.seconds = Math.round(summary.seconds * 1000) / 1000;
  return summary;
}
