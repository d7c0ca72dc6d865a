// Compaction: raw CloudTrail and access-log objects (and CSV inventory reports) become one zstd
// Parquet file per partition (source folder × day) under _custos/compact, with exactly the table's
// visible columns. Incremental and crash-safe: new files are written under temporary names,
// fsynced and renamed, then the manifest is replaced atomically; a file the manifest does not
// reference is never read and is removed by the next run.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import {
  COMPACT_DIR,
  partitionCoverage,
  partitionKey,
  manifestForUpdate,
  syncDir,
  writeCompactManifest,
  type CompactManifest,
  type CompactedPartition,
  type CoveredSource,
} from './compact-manifest';
import { compactedRelation, ndjsonRelation, quoteIdent, sqlString, tableColumns, unionAll } from './read-sql';
import { CUSTOS_DIR, scanLake, type RawPartition } from './scan';
import { isReadInPlace, parseIntoNdjson, pruneStage, stageKey, type ParsedObject } from './stage';
import { COMPACTED_TABLES, LAKE_TABLES, type LakeLocation, type LakeTable } from './tables';

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

const SORT_KEYS: Partial<Record<LakeTable, string[]>> = {
  cloudtrail_logs: ['eventsource', 'eventname', 'eventtime'],
  s3_access_logs: ['key', 'requestdatetime'],
  s3_inventory: ['key', 'version_id'],
};

const MANIFEST_FLUSH_PARTITIONS = 100;
const MANIFEST_FLUSH_MS = 15_000;

const isCompactable = (p: RawPartition) =>
  COMPACTED_TABLES.includes(p.table) && p.files.every((f) => f.kind === 'cloudtrail' || f.kind === 'access-log' || f.kind === 'inventory-csv');

async function acquireLock(lake: LakeLocation): Promise<() => Promise<void>> {
  const file = path.join(lake.dir, COMPACT_DIR, '.lock');
  await fs.mkdir(path.dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await fs.writeFile(file, JSON.stringify({ pid: process.pid, since: new Date().toISOString() }), { flag: 'wx' });
      return () => fs.rm(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = JSON.parse(await fs.readFile(file, 'utf8').catch(() => '{}')) as { pid?: number };
      if (holder.pid && holder.pid !== process.pid && isAlive(holder.pid)) {
        throw new Error(`another compaction of this lake is running (pid ${holder.pid})`);
      }
      await fs.rm(file, { force: true });
    }
  }
  throw new Error('could not take the compaction lock');
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function listFiles(dir: string): Promise<string[]> {
  let list;
  try {
    list = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of list) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(full)));
    else out.push(full);
  }
  return out;
}

/** Deletes compacted files the manifest does not reference (left by a crash or superseded). */
async function removeUnreferenced(lake: LakeLocation, manifest: CompactManifest): Promise<number> {
  const referenced = new Set(
    Object.values(manifest.partitions).flatMap((p) => (p.parquet ? [path.join(lake.dir, p.parquet.path)] : [])),
  );
  let removed = 0;
  for (const table of LAKE_TABLES) {
    for (const file of await listFiles(path.join(lake.dir, COMPACT_DIR, table))) {
      if (referenced.has(file)) continue;
      await fs.rm(file, { force: true });
      removed++;
    }
  }
  return removed;
}

async function fsyncFile(file: string): Promise<void> {
  const handle = await fs.open(file, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function throwIfAborted(signal: AbortSignal | undefined) {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('compaction cancelled');
}

type Work = { partition: RawPartition; base: CompactedPartition | null; parsed: ParsedObject[]; ndjson: string | null };

export async function compactLake(lake: LakeLocation, options: CompactOptions = {}): Promise<CompactSummary> {
  const started = performance.now();
  const release = await acquireLock(lake);
  const tmpDir = path.join(lake.dir, CUSTOS_DIR, 'tmp');
  await fs.mkdir(tmpDir, { recursive: true });
  const instance = await DuckDBInstance.create(':memory:', { threads: '2', temp_directory: path.join(tmpDir, 'duckdb') });
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
  let pending: Promise<void> = Promise.resolve();
  try {
    await conn.run(`SET TimeZone = 'UTC'`);
    const manifest = await manifestForUpdate(lake);
    summary.filesRemoved += await removeUnreferenced(lake, manifest);
    const partitions = await scanLake(lake, [...LAKE_TABLES], 'all');
    const todo: { partition: RawPartition; base: CompactedPartition | null; files: RawPartition['files'] }[] = [];
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

    const write = async (work: Work, index: number) => {
      const { partition, base, parsed, ndjson } = work;
      let parquet: CompactedPartition['parquet'];
      try {
        parquet = await writePartition(conn, lake, partition, base, ndjson, options.rowGroupSize ?? 65_536);
      } finally {
        if (ndjson) await fs.rm(ndjson, { force: true });
      }
      if (parquet) options.onStep?.({ step: 'parquet-written', table: partition.table, partition: partition.id, file: parquet.path });
      const sources: CoveredSource[] = parsed.map((s) => ({
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
      if (dirty >= MANIFEST_FLUSH_PARTITIONS || performance.now() - flushedAt > MANIFEST_FLUSH_MS) await flush();
    };

    // Node parses partition i+1 while DuckDB sorts and writes partition i.
    for (let i = 0; i < todo.length; i++) {
      throwIfAborted(options.signal);
      const { partition, base, files } = todo[i]!;
      const target = path.join(tmpDir, `compact-${randomUUID()}.ndjson`);
      const { objects: parsed, rows } = await parseIntoNdjson(lake, files, target);
      const ndjson = rows > 0 ? target : null;
      if (!ndjson) await fs.rm(target, { force: true });
      for (const s of parsed) {
        summary.rawFiles++;
        summary.records += s.records;
        summary.megabytesProcessed += s.textBytes / 1e6;
        for (const r of s.rejected) {
          if (r.line === 0) summary.rejectedFiles++;
          else summary.rejectedRecords++;
        }
      }
      await pending;
      pending = write({ partition, base, parsed, ndjson }, i);
      pending.catch(() => undefined);
    }
    await pending;
    if (dirty > 0) await flush();
    for (const file of superseded) {
      await fs.rm(path.join(lake.dir, file), { force: true });
      summary.filesRemoved++;
    }
    const inPlace = partitions.flatMap((p) => p.files.filter(isReadInPlace).map(stageKey));
    await pruneStage(lake, new Set(inPlace));
  } finally {
    await pending.catch(() => undefined);
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

async function writePartition(
  conn: DuckDBConnection,
  lake: LakeLocation,
  partition: RawPartition,
  base: CompactedPartition | null,
  ndjson: string | null,
  rowGroupSize: number,
): Promise<CompactedPartition['parquet']> {
  const table = partition.table;
  const relations: string[] = [];
  if (base?.parquet) relations.push(compactedRelation(table, [path.join(lake.dir, base.parquet.path)]));
  if (ndjson) relations.push(ndjsonRelation(table, [ndjson]));
  if (relations.length === 0) return null;

  const key = `${COMPACT_DIR}/${table}/${partition.id}/part-${randomUUID()}.parquet`;
  const final = path.join(lake.dir, key);
  const tmp = `${final}.tmp`;
  await fs.mkdir(path.dirname(final), { recursive: true });
  const columns = tableColumns(table).map((c) => quoteIdent(c.name)).join(', ');
  const order = (SORT_KEYS[table] ?? []).map(quoteIdent).join(', ');
  const select = `SELECT ${columns} FROM (${unionAll(table, relations)})${order ? ` ORDER BY ${order}` : ''}`;
  const result = await conn.runAndReadAll(
    `COPY (${select}) TO ${sqlString(tmp)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${rowGroupSize})`,
  );
  const rows = Number(result.getRows()[0]?.[0] ?? 0);
  await fsyncFile(tmp);
  await fs.rename(tmp, final);
  await syncDir(path.dirname(final));
  const { size } = await fs.stat(final);
  return { path: key, bytes: size, rows };
}
