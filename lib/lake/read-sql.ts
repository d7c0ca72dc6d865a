// DuckDB relations that read each layer of the lake into a table's visible columns and DuckDB
// types (schema.ts), so a view can union compacted Parquet, staged raw rows and Parquet read in
// place without the query noticing which layer a row came from.
import { duckdbType, tableDefinition, visibleColumns, type HiveField } from './schema';
import { inventoryColumnName } from './sources/inventory';
import { MAX_STAGED_ROW_BYTES } from './sources/types';
import type { LakeTable } from './tables';

export const sqlString = (text: string) => `'${text.replaceAll("'", "''")}'`;
export const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

export function tableColumns(table: LakeTable): HiveField[] {
  return visibleColumns(tableDefinition(table));
}

const fileList = (files: string[]) => `[${files.map(sqlString).join(', ')}]`;
const selectList = (table: LakeTable) => tableColumns(table).map((c) => quoteIdent(c.name)).join(', ');

/** The `columns={…}` argument of read_json for a table's visible columns. */
export function readJsonColumns(table: LakeTable): string {
  return `{${tableColumns(table)
    .map((c) => `${sqlString(c.name)}: ${sqlString(duckdbType(c.type))}`)
    .join(', ')}}`;
}

/** A typed relation with no rows. */
export function emptyRelation(table: LakeTable): string {
  const cols = tableColumns(table).map((c) => `CAST(NULL AS ${duckdbType(c.type)}) AS ${quoteIdent(c.name)}`);
  return `SELECT ${cols.join(', ')} WHERE false`;
}

/** Staged raw rows: newline-delimited JSON objects keyed by the lowercase column names. */
export function ndjsonRelation(table: LakeTable, files: string[]): string {
  return `SELECT ${selectList(table)} FROM read_json(${fileList(files)}, format = 'newline_delimited', records = true, columns = ${readJsonColumns(table)}, maximum_object_size = ${MAX_STAGED_ROW_BYTES})`;
}

/** Compacted Parquet partitions, written with exactly the visible columns and types. */
export function compactedRelation(table: LakeTable, files: string[]): string {
  return `SELECT ${selectList(table)} FROM read_parquet(${fileList(files)})`;
}

export type ParquetColumn = { name: string; type: string };

function castTo(target: HiveField, source: ParquetColumn | undefined): string {
  const type = duckdbType(target.type);
  if (!source) return `CAST(NULL AS ${type})`;
  const col = quoteIdent(source.name);
  const from = source.type.toUpperCase();
  if (type === 'TIMESTAMP') {
    if (from === 'TIMESTAMP WITH TIME ZONE') return `timezone('UTC', ${col})`;
    if (from === 'BIGINT' || from === 'INTEGER') return `epoch_ms(${col})`;
    if (from === 'VARCHAR') return `timezone('UTC', CAST(${col} AS TIMESTAMPTZ))`;
  }
  if (type === 'BOOLEAN' && from === 'VARCHAR') {
    return `CASE lower(${col}) WHEN 'true' THEN true WHEN 'false' THEN false END`;
  }
  return `CAST(${col} AS ${type})`;
}

function mappedSelect(table: LakeTable, columns: ParquetColumn[], match: (name: string) => string, extra: Record<string, string>) {
  const bySource = new Map<string, ParquetColumn>();
  for (const c of columns) if (!bySource.has(match(c.name))) bySource.set(match(c.name), c);
  const def = tableDefinition(table);
  const data = def.columns.map((c) => `${castTo(c, bySource.get(c.name))} AS ${quoteIdent(c.name)}`);
  const parts = def.partitions.map((p) => `${sqlString(extra[p.name] ?? '')} AS ${quoteIdent(p.name)}`);
  return [...data, ...parts].join(', ');
}

/** S3 Inventory Parquet data files of one report (same schema) read in place; field names may be snake_case or as AWS spells them. */
export function inventoryParquetRelation(files: string[], columns: ParquetColumn[], dt: string): string {
  return `SELECT ${mappedSelect('s3_inventory', columns, inventoryColumnName, { dt })} FROM read_parquet(${fileList(files)})`;
}

/** Study catalog Parquet files read in place; Parquet columns resolve by name, case-insensitively, as in Athena. */
export function catalogRelation(files: string[], columns: ParquetColumn[]): string {
  return `SELECT ${mappedSelect('study_catalog', columns, (n) => n.toLowerCase(), {})} FROM read_parquet(${fileList(files)}, union_by_name = true)`;
}

export function unionAll(table: LakeTable, relations: string[]): string {
  return relations.length === 0 ? emptyRelation(table) : relations.join('\nUNION ALL\n');
}
