import 'server-only';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { EngineError, rawRead } from '@/lib/engine/port';
import { planLakeRead, planStats, UnboundedScanError, type LakeScanStats, type TableReadPlan } from '@/lib/lake/read-plan';
import {
  catalogRelation,
  compactedRelation,
  emptyRelation,
  inventoryParquetRelation,
  ndjsonRelation,
  quoteIdent,
  sqlString,
  unionAll,
  type ParquetColumn,
} from '@/lib/lake/read-sql';
import { stageRawFiles, type StagedFile } from '@/lib/lake/stage';
import { type LakeTable, type ScanScope, type LakeLocation, LAKE_TABLES } from '@/lib/lake/tables';
import { ACCESS_INDEX_COLUMNS, currentAccessIndexManifest, indexFiles } from '@/lib/lake/access-index-manifest';
import type { EngineRequest, EstimateRequest } from '@/lib/engine/port';

export type { LakeScanStats } from '@/lib/lake/read-plan';

async function plans(lake: LakeLocation, tables: LakeTable[], scope: ScanScope | null): Promise<TableReadPlan[]> {
  try {
    return await planLakeRead(lake, tables, scope);
  } catch (error) {
    if (error instanceof UnboundedScanError) throw new EngineError(error.message, 'limit');
    throw error;
  }
}

type IndexFile = { file: string; bytes: number };

/** What a request reads: its tables' partitions beside the index (rawRead), and the index files of its indexed days. */
async function requestPlan(lake: LakeLocation, request: EstimateRequest): Promise<{ planned: TableReadPlan[]; index: IndexFile[] }> {
  const raw = rawRead(request);
  const planned = await plans(lake, raw.tables, raw.scope);
  const days = request.accessIndex?.indexed;
  const index = days ? indexFiles(lake, await currentAccessIndexManifest(lake), days.from, days.to) : [];
  return { planned, index };
}

function withIndex(stats: LakeScanStats, index: IndexFile[]): LakeScanStats {
  return { files: stats.files + index.length, bytes: stats.bytes + index.reduce((n, f) => n + f.bytes, 0), partitions: stats.partitions + index.length };
}

/** What the views of `request` would read, without reading it. */
export async function estimateLakeScan(lake: LakeLocation, request: EstimateRequest): Promise<LakeScanStats> {
  const { planned, index } = await requestPlan(lake, request);
  return withIndex(planStats(planned), index);
}

function inventoryRelations(lake: LakeLocation, staged: StagedFile[]): string[] {
  const groups = new Map<string, { dt: string; columns: ParquetColumn[]; files: string[] }>();
  for (const s of staged) {
    if (s.file.kind !== 'inventory-parquet' || !s.parquetColumns || s.rejected.some((r) => r.line === 0)) continue;
    const dt = s.file.partition.dt ?? '';
    const id = `${dt}\n${JSON.stringify(s.parquetColumns)}`;
    const group = groups.get(id) ?? { dt, columns: s.parquetColumns, files: [] };
    group.files.push(path.join(lake.dir, s.file.path));
    groups.set(id, group);
  }
  return [...groups.values()].map((g) => inventoryParquetRelation(g.files, g.columns, g.dt));
}

function catalogRelations(lake: LakeLocation, staged: StagedFile[]): string[] {
  const files = staged.filter((s) => s.file.kind === 'catalog' && s.parquetColumns && !s.rejected.some((r) => r.line === 0));
  if (files.length === 0) return [];
  const columns = new Map<string, ParquetColumn>();
  for (const s of files) for (const c of s.parquetColumns!) if (!columns.has(c.name.toLowerCase())) columns.set(c.name.toLowerCase(), c);
  return [catalogRelation(files.map((s) => path.join(lake.dir, s.file.path)), [...columns.values()])];
}

async function tableRelation(conn: DuckDBConnection, lake: LakeLocation, plan: TableReadPlan): Promise<{ sql: string; read: TableReadPlan }> {
  const staged = await stageRawFiles(lake, plan.raw, conn);
  const refused = new Set(staged.filter((s) => s.rejected.some((r) => r.line === 0)).map((s) => s.file));
  const relations: string[] = [];
  if (plan.compacted.length > 0) relations.push(compactedRelation(plan.table, plan.compacted.map((c) => c.file)));
  const ndjson = staged.flatMap((s) => (s.ndjson ? [s.ndjson] : []));
  if (ndjson.length > 0) relations.push(ndjsonRelation(plan.table, ndjson));
  if (plan.table === 's3_inventory') relations.push(...inventoryRelations(lake, staged));
  if (plan.table === 'study_catalog') relations.push(...catalogRelations(lake, staged));
  return { sql: unionAll(plan.table, relations), read: { ...plan, raw: plan.raw.filter((f) => !refused.has(f)) } };
}

/**
 * Creates TEMP views cloudtrail_logs, s3_access_logs, s3_inventory, study_catalog on `conn`
 * (tables not listed get an empty view with the right columns), restricted to `scope` for the
 * two log tables; returns what the views will read (objects refused whole are not counted).
 */
export async function createLakeViews(
  conn: DuckDBConnection,
  lake: LakeLocation,
  tables: LakeTable[],
  scope: ScanScope | null,
  accessIndex?: EngineRequest['accessIndex'],
): Promise<LakeScanStats> {
  const { planned, index } = await requestPlan(lake, { tables, scope, accessIndex });
  await createAccessIndexView(conn, index);
  const read: TableReadPlan[] = [];
  for (const table of LAKE_TABLES) {
    const plan = planned.find((p) => p.table === table);
    let sql = emptyRelation(table);
    if (plan) {
      const relation = await tableRelation(conn, lake, plan);
      sql = relation.sql;
      read.push(relation.read);
    }
    await conn.run(`CREATE OR REPLACE TEMP VIEW ${quoteIdent(table)} AS ${sql}`);
  }
  return withIndex(planStats(read), index);
}

/** The access_index view over `files` (no rows without files). */
async function createAccessIndexView(conn: DuckDBConnection, files: IndexFile[]): Promise<void> {
  const columns = ACCESS_INDEX_COLUMNS.map(quoteIdent).join(', ');
  const sql =
    files.length > 0
      ? // the day=… folders must not turn `day` into a DATE: it is text, as on Athena
        `SELECT ${columns} FROM read_parquet([${files.map((f) => sqlString(f.file)).join(', ')}], hive_partitioning = false)`
      : `SELECT ${ACCESS_INDEX_COLUMNS.map((c) => `CAST(NULL AS VARCHAR) AS ${quoteIdent(c)}`).join(', ')} WHERE false`;
  await conn.run(`CREATE OR REPLACE TEMP VIEW access_index AS ${sql}`);
}
