// `lake check`: what every source contributes to the tables and what it refuses, per object and
// line. Objects already compacted are reported from the compaction manifest, so the report and
// the views agree on every row.
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { partitionCoverage, partitionKey, readCompactManifest } from './compact-manifest';
import { CUSTOS_DIR, scanLake, type RawFile } from './scan';
import { inspectRawFile, mapLimit } from './stage';
import type { Rejection } from './sources/types';
import { type LakeLocation, LAKE_TABLES } from './tables';

export type SourceReport = { files: number; records: number; rejected: Rejection[] };

export type LakeCheckReport = {
  sources: {
    cloudtrail: SourceReport;
    s3_access_logs: SourceReport;
    s3_inventory: SourceReport;
    study_catalog: SourceReport;
  };
};

const SOURCE_OF = {
  cloudtrail_logs: 'cloudtrail',
  s3_access_logs: 's3_access_logs',
  s3_inventory: 's3_inventory',
  study_catalog: 'study_catalog',
} as const;

export async function checkLake(lake: LakeLocation): Promise<LakeCheckReport> {
  const empty = (): SourceReport => ({ files: 0, records: 0, rejected: [] });
  const report: LakeCheckReport = {
    sources: { cloudtrail: empty(), s3_access_logs: empty(), s3_inventory: empty(), study_catalog: empty() },
  };
  const [partitions, manifest] = await Promise.all([scanLake(lake, [...LAKE_TABLES], 'all'), readCompactManifest(lake)]);
  const toInspect: RawFile[] = [];
  const raw = new Map(partitions.map((p) => [partitionKey(p.table, p.id), p]));
  for (const key of new Set([...raw.keys(), ...Object.keys(manifest.partitions)])) {
    const partition = raw.get(key);
    const entry = manifest.partitions[key];
    const table = partition?.table ?? entry!.table;
    const target = report.sources[SOURCE_OF[table]];
    const files = partition?.files ?? [];
    target.files += files.length;
    const coverage = partitionCoverage(entry, files);
    if (entry && coverage.usable) {
      for (const source of entry.sources) {
        target.records += source.records;
        target.rejected.push(...source.rejected);
      }
      toInspect.push(...coverage.uncovered);
    } else {
      toInspect.push(...files);
    }
  }
  const instance = await DuckDBInstance.create(':memory:', { threads: '2', temp_directory: path.join(lake.dir, CUSTOS_DIR, 'tmp', 'duckdb') });
  const conn = await instance.connect();
  try {
    const results = await mapLimit(toInspect, 3, (file) => inspectRawFile(lake, file, conn));
    for (const r of results) {
      const target = report.sources[SOURCE_OF[r.file.table]];
      target.records += r.records;
      target.rejected.push(...r.rejected);
    }
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
  for (const source of Object.values(report.sources)) {
    source.rejected.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  }
  return report;
}
