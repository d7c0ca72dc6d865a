// Raw objects reach DuckDB as staged newline-delimited JSON: each object parsed once in Node
// (JSON SerDe / RegexSerDe / CSV rules) into its table's columns, cached under _custos/stage keyed
// by the object's key and fingerprint, so a changed object is parsed again. Parquet objects
// (inventory reports, study catalog) are read in place; only their checks and schema are cached.
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlString, type ParquetColumn } from './read-sql';
import { CUSTOS_DIR, type RawFile } from './scan';
import { readAccessLog } from './sources/access-log';
import { isParquetFile } from './sources/catalog';
import { readCloudTrailLog } from './sources/cloudtrail';
import { fileMd5, readInventoryCsv } from './sources/inventory';
import { errorMessage, type Rejection, type Row, type SourceBatch } from './sources/types';
import type { LakeTable, LakeLocation } from './tables';

export const STAGE_DIR = `${CUSTOS_DIR}/stage`;

export type StagedFile = {
  file: RawFile;
  /** Absolute path of the staged rows; null when the object yielded none or is read in place. */
  ndjson: string | null;
  records: number;
  rejected: Rejection[];
  textBytes: number;
  /** Parquet read in place: its columns, for mapping onto the table. */
  parquetColumns?: ParquetColumn[];
};

type StageMeta = Omit<StagedFile, 'file' | 'ndjson'> & { version: 1; path: string; fingerprint: string; hasRows: boolean };

export const isReadInPlace = (file: RawFile) => file.kind === 'inventory-parquet' || file.kind === 'catalog';

export function stageKey(file: RawFile): string {
  return createHash('sha256').update(`${file.path}\n${file.fingerprint}`).digest('hex').slice(0, 40);
}

function stagePaths(lake: LakeLocation, table: LakeTable, key: string) {
  const dir = path.join(lake.dir, STAGE_DIR, table);
  return { dir, ndjson: path.join(dir, `${key}.ndjson`), meta: path.join(dir, `${key}.json`) };
}

/** The parser for a text object (CloudTrail, access log, inventory CSV). */
export function sourceBatches(lake: LakeLocation, file: RawFile): AsyncGenerator<SourceBatch> {
  const input = { absPath: path.join(lake.dir, file.path), file: file.path, partition: file.partition };
  switch (file.kind) {
    case 'cloudtrail':
      return readCloudTrailLog(input);
    case 'access-log':
      return readAccessLog(input);
    case 'inventory-csv':
      return readInventoryCsv({ ...input, schema: file.csvSchema ?? [], ...(file.md5 ? { md5: file.md5 } : {}) });
    default:
      throw new Error(`${file.kind} objects are not parsed in Node`);
  }
}

/** Appends rows to an NDJSON file; `truncate` takes back what was written after a mark. */
export class NdjsonWriter {
  rows = 0;
  position = 0;
  private constructor(
    readonly file: string,
    private readonly handle: fsp.FileHandle,
  ) {}
  static async create(file: string): Promise<NdjsonWriter> {
    return new NdjsonWriter(file, await fsp.open(file, 'w'));
  }
  async write(rows: Row[]): Promise<void> {
    if (rows.length === 0) return;
    let chunk = '';
    for (const row of rows) chunk += `${JSON.stringify(row)}\n`;
    const buffer = Buffer.from(chunk);
    await this.handle.write(buffer, 0, buffer.length, this.position);
    this.position += buffer.length;
    this.rows += rows.length;
  }
  async truncate(position: number, rows: number): Promise<void> {
    await this.handle.truncate(position);
    this.position = position;
    this.rows = rows;
  }
  async close(): Promise<void> {
    await this.handle.close();
  }
  async discard(): Promise<void> {
    await this.close();
    await fsp.rm(this.file, { force: true });
  }
}

async function readMeta(file: string): Promise<StageMeta | null> {
  try {
    return JSON.parse(await fsp.readFile(file, 'utf8')) as StageMeta;
  } catch {
    return null;
  }
}

async function parquetFacts(conn: DuckDBConnection, absPath: string) {
  const relation = `read_parquet(${sqlString(absPath)})`;
  const described = await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${relation}`);
  const parquetColumns = described.getRowObjectsJS().map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
  const counted = await conn.runAndReadAll(`SELECT count(*) AS n FROM ${relation}`);
  return { parquetColumns, records: Number(counted.getRowObjectsJS()[0]?.n ?? 0) };
}

async function inspectParquet(lake: LakeLocation, file: RawFile, conn: DuckDBConnection): Promise<Omit<StageMeta, 'version' | 'path' | 'fingerprint' | 'hasRows'>> {
  const absPath = path.join(lake.dir, file.path);
  const reject = (reason: string) => ({ records: 0, rejected: [{ file: file.path, line: 0, reason }], textBytes: 0 });
  if (file.md5) {
    const actual = await fileMd5(absPath);
    if (actual !== file.md5) return reject(`MD5 mismatch: the manifest lists ${file.md5}, the file has ${actual}`);
  }
  if (!(await isParquetFile(absPath))) return reject('not a Parquet file');
  try {
    const facts = await parquetFacts(conn, absPath);
    return { ...facts, rejected: [], textBytes: 0 };
  } catch (error) {
    return reject(`unreadable Parquet: ${errorMessage(error).split('\n')[0]}`);
  }
}

async function stageText(lake: LakeLocation, file: RawFile, target: string): Promise<Omit<StageMeta, 'version' | 'path' | 'fingerprint'>> {
  const tmp = `${target}.tmp-${randomUUID()}`;
  const writer = await NdjsonWriter.create(tmp);
  const rejected: Rejection[] = [];
  let textBytes = 0;
  try {
    for await (const batch of sourceBatches(lake, file)) {
      const whole = batch.rejected.find((r) => r.line === 0);
      if (whole) {
        await writer.discard();
        return { records: 0, rejected: [whole], textBytes: 0, hasRows: false };
      }
      rejected.push(...batch.rejected);
      textBytes += batch.textBytes;
      await writer.write(batch.rows);
    }
  } catch (error) {
    await writer.discard();
    throw error;
  }
  if (writer.rows === 0) {
    await writer.discard();
  } else {
    await writer.close();
    await fsp.rename(tmp, target);
  }
  return { records: writer.rows, rejected, textBytes, hasRows: writer.rows > 0 };
}

const inFlight = new Map<string, Promise<StagedFile>>();
/** Staged results already read in this process, so a long-running server skips the meta files. */
const remembered = new Map<string, StagedFile>();
const REMEMBER_MAX = 200_000;

async function stageUncached(lake: LakeLocation, file: RawFile, conn: DuckDBConnection): Promise<StagedFile> {
  if (file.problem) {
    return { file, ndjson: null, records: 0, rejected: [{ file: file.path, line: 0, reason: file.problem }], textBytes: 0 };
  }
  const key = stageKey(file);
  const paths = stagePaths(lake, file.table, key);
  const cached = await readMeta(paths.meta);
  if (cached && cached.path === file.path && cached.fingerprint === file.fingerprint && (!cached.hasRows || fs.existsSync(/*turbopackIgnore: true*/ paths.ndjson))) {
    return toStaged(file, cached, cached.hasRows && !isReadInPlace(file) ? paths.ndjson : null);
  }
  await fsp.mkdir(paths.dir, { recursive: true });
  const facts = isReadInPlace(file)
    ? { ...(await inspectParquet(lake, file, conn)), hasRows: false }
    : await stageText(lake, file, paths.ndjson);
  const meta: StageMeta = { version: 1, path: file.path, fingerprint: file.fingerprint, ...facts };
  const tmpMeta = `${paths.meta}.tmp-${randomUUID()}`;
  await fsp.writeFile(tmpMeta, JSON.stringify(meta));
  await fsp.rename(tmpMeta, paths.meta);
  return toStaged(file, meta, meta.hasRows ? paths.ndjson : null);
}

function toStaged(file: RawFile, meta: Omit<StageMeta, 'version' | 'path' | 'fingerprint' | 'hasRows'>, ndjson: string | null): StagedFile {
  return {
    file,
    ndjson,
    records: meta.records,
    rejected: meta.rejected,
    textBytes: meta.textBytes,
    ...(meta.parquetColumns ? { parquetColumns: meta.parquetColumns } : {}),
  };
}

/** Parses (or finds in the cache) one raw object. */
export function stageRawFile(lake: LakeLocation, file: RawFile, conn: DuckDBConnection): Promise<StagedFile> {
  const id = `${lake.dir}\n${file.path}\n${file.fingerprint}`;
  const known = remembered.get(id);
  if (known && (!known.ndjson || fs.existsSync(known.ndjson))) return Promise.resolve({ ...known, file });
  let pending = inFlight.get(id);
  if (!pending) {
    pending = stageUncached(lake, file, conn)
      .then((staged) => {
        if (!file.problem) {
          if (remembered.size >= REMEMBER_MAX) remembered.clear();
          remembered.set(id, staged);
        }
        return staged;
      })
      .finally(() => inFlight.delete(id));
    inFlight.set(id, pending);
  }
  return pending;
}

export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Stages many objects, a few at a time (gunzip runs on the libuv pool, parsing on the main thread). */
export function stageRawFiles(lake: LakeLocation, files: RawFile[], conn: DuckDBConnection, concurrency = 3): Promise<StagedFile[]> {
  return mapLimit(files, concurrency, (file) => stageRawFile(lake, file, conn));
}

/** Counts and rejections of one object without writing staged rows (uses the cache when present). */
export async function inspectRawFile(lake: LakeLocation, file: RawFile, conn: DuckDBConnection): Promise<Omit<StagedFile, 'ndjson'>> {
  if (file.problem || isReadInPlace(file)) return stageRawFile(lake, file, conn);
  const cached = await readMeta(stagePaths(lake, file.table, stageKey(file)).meta);
  if (cached && cached.path === file.path && cached.fingerprint === file.fingerprint) return toStaged(file, cached, null);
  let records = 0;
  let textBytes = 0;
  const rejected: Rejection[] = [];
  for await (const batch of sourceBatches(lake, file)) {
    const whole = batch.rejected.find((r) => r.line === 0);
    if (whole) return { file, records: 0, rejected: [whole], textBytes: 0 };
    records += batch.rows.length;
    textBytes += batch.textBytes;
    rejected.push(...batch.rejected);
  }
  return { file, records, rejected, textBytes };
}

/** Removes staged entries whose key is not in `keep` (objects compacted since, or changed). */
export async function pruneStage(lake: LakeLocation, keep: Set<string>): Promise<number> {
  let removed = 0;
  const root = path.join(lake.dir, STAGE_DIR);
  let tables: string[];
  try {
    tables = await fsp.readdir(root);
  } catch {
    return 0;
  }
  for (const table of tables) {
    const dir = path.join(root, table);
    for (const name of await fsp.readdir(dir)) {
      const key = name.split('.')[0]!;
      if (keep.has(key)) continue;
      if (name.includes('.tmp-') && Date.now() - (await fsp.stat(path.join(dir, name))).mtimeMs < 3_600_000) continue;
      await fsp.rm(path.join(dir, name), { force: true });
      removed++;
    }
  }
  return removed;
}
