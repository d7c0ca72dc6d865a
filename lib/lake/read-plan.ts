// What a read of the lake opens: for each table, the compacted Parquet partitions in scope and
// the raw objects in scope that no current Parquet partition covers. Every row is read exactly
// once, whichever mix of layers a day is in.
import path from 'node:path';
import { coveredFingerprints, partitionCoverage, readCompactManifest, type CompactedPartition } from './compact-manifest';
import { scanLake, scopeDays, type RawFile } from './scan';
import { isLogTable, type LakeLocation, type LakeTable, type ScanScope } from './tables';

export type LakeScanStats = { files: number; bytes: number; partitions: number };

export type TableReadPlan = {
  table: LakeTable;
  /** Compacted Parquet files (absolute paths) and their sizes. */
  compacted: { file: string; bytes: number }[];
  /** Raw objects to read, staged or in place; objects with a `problem` are rejected, not read. */
  raw: RawFile[];
  partitions: number;
};


export class UnboundedScanError extends Error {
  override name = 'UnboundedScanError';
  constructor(table: LakeTable) {
    super(`${table} is date-partitioned: a read needs a date scope (unbounded scans are refused)`);
  }
}

export async function planTableRead(lake: LakeLocation, table: LakeTable, scope: ScanScope | null): Promise<TableReadPlan> {
  const isLog = isLogTable(table);
  if (isLog && !scope) throw new UnboundedScanError(table);
  const days = isLog && scope ? new Set(scopeDays(scope)) : null;
  const manifest = await readCompactManifest(lake);
  // Objects a compacted partition holds are read from it without a stat: log objects are written
  // once; compaction (at start, on demand) and `lake check` stat every object and rebuild a
  // partition whose object changed.
  const rawPartitions = await scanLake(lake, [table], isLog && scope ? scope : 'all', { known: coveredFingerprints(manifest) });
  const entries = new Map<string, CompactedPartition>();
  for (const entry of Object.values(manifest.partitions)) {
    if (entry.table === table && (!days || days.has(entry.day))) entries.set(entry.id, entry);
  }
  const raw = new Map(rawPartitions.map((p) => [p.id, p]));
  const plan: TableReadPlan = { table, compacted: [], raw: [], partitions: 0 };
  for (const id of new Set([...raw.keys(), ...entries.keys()])) {
    const entry = entries.get(id);
    const files = raw.get(id)?.files ?? [];
    const coverage = partitionCoverage(entry, files);
    const before = plan.compacted.length + plan.raw.length;
    if (entry && coverage.usable) {
      if (entry.parquet) plan.compacted.push({ file: path.join(lake.dir, entry.parquet.path), bytes: entry.parquet.bytes });
      plan.raw.push(...coverage.uncovered);
    } else {
      plan.raw.push(...files);
    }
    if (plan.compacted.length + plan.raw.length > before) plan.partitions++;
  }
  return plan;
}

export async function planLakeRead(lake: LakeLocation, tables: LakeTable[], scope: ScanScope | null): Promise<TableReadPlan[]> {
  for (const table of tables) if (isLogTable(table) && !scope) throw new UnboundedScanError(table);
  return Promise.all([...new Set(tables)].map((t) => planTableRead(lake, t, scope)));
}

export function planStats(plans: TableReadPlan[]): LakeScanStats {
  const stats: LakeScanStats = { files: 0, bytes: 0, partitions: 0 };
  for (const plan of plans) {
    const readable = plan.raw.filter((f) => !f.problem);
    stats.files += plan.compacted.length + readable.length;
    stats.bytes += plan.compacted.reduce((n, c) => n + c.bytes, 0) + readable.reduce((n, f) => n + f.size, 0);
    stats.partitions += plan.partitions;
  }
  return stats;
}
