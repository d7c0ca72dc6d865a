// One compacted partition written by DuckDB: the staged rows (and the partition's previous Parquet
// file, when objects were added to it) as one zstd Parquet file, fsynced and renamed into place.
// The file is invisible until the manifest lists it (compact.ts).
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { COMPACT_DIR, fsyncFile, syncDir, type CompactedPartition } from './compact-manifest';
import { SORT_KEYS } from './compact-order';
import type { ParsedPartition, PartitionJob } from './compact-parse';
import { compactedRelation, ndjsonRelation, quoteIdent, sqlString, tableColumns, unionAll } from './read-sql';
import { rowTextRelation } from './row-text';
import type { RawPartition } from './scan';
import type { LakeLocation } from './tables';

export async function writePartition(
  conn: DuckDBConnection,
  lake: LakeLocation,
  partition: RawPartition,
  base: CompactedPartition | null,
  staged: { job: PartitionJob; parsed: ParsedPartition },
  rowGroupSize: number,
): Promise<CompactedPartition['parquet']> {
  const { job, parsed } = staged;
  const table = partition.table;
  const relations: string[] = [];
  if (base?.parquet) relations.push(compactedRelation(table, [path.join(lake.dir, base.parquet.path)]));
  if (parsed.textRows > 0) relations.push(rowTextRelation(table, [job.text]));
  if (parsed.jsonRows > 0) relations.push(ndjsonRelation(table, [job.json]));
  if (relations.length === 0) return null;
  // Rows the parser sorted keep their order (preserve_insertion_order); anything else is sorted here.
  const presorted = relations.length === 1 && parsed.textRows > 0 && parsed.sorted;

  const key = `${COMPACT_DIR}/${table}/${partition.id}/part-${randomUUID()}.parquet`;
  const final = path.join(lake.dir, key);
  const tmp = `${final}.tmp`;
  await fs.mkdir(path.dirname(final), { recursive: true });
  const columns = tableColumns(table).map((c) => quoteIdent(c.name)).join(', ');
  const order = presorted ? '' : (SORT_KEYS[table] ?? []).map(quoteIdent).join(', ');
  const select = `SELECT ${columns} FROM (${unionAll(table, relations)})${order ? ` ORDER BY ${order}` : ''}`;
  const result = await conn.runAndReadAll(
    `COPY (${select}) TO ${sqlString(tmp)} (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1, ROW_GROUP_SIZE ${rowGroupSize})`,
  );
  const rows = Number(result.getRows()[0]?.[0] ?? 0);
  await fsyncFile(tmp);
  await fs.rename(tmp, final);
  await syncDir(path.dirname(final));
  const { size } = await fs.stat(final);
  return { path: key, bytes: size, rows };
}
