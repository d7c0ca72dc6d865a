import 'server-only';
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { DEFAULT_DUCKDB_MEMORY_LIMIT } from '@/lib/config/env';
import { addDays, daysBetween } from '@/lib/days';
import type { AccessIndexBuild, AccessIndexPort, AccessIndexRefresh } from '@/lib/engine/port';
import {
  ACCESS_INDEX_COLUMNS,
  ACCESS_INDEX_DIR,
  currentAccessIndexManifest,
  listedIndexFiles,
  readAccessIndexManifest,
  writeAccessIndexManifest,
  type AccessIndexManifest,
} from '@/lib/lake/access-index-manifest';
import { coveredFingerprints, partitionCoverage, partitionKey, readCompactManifest, fsyncFile, syncDir } from '@/lib/lake/compact-manifest';
import { filesUnder } from '@/lib/lake/list-files';
import { acquireLakeLock } from '@/lib/lake/lock';
import { quoteIdent, sqlString } from '@/lib/lake/read-sql';
import { CUSTOS_DIR, scanLake } from '@/lib/lake/scan';
import { LOG_TABLES, type LakeLocation, type ScanScope } from '@/lib/lake/tables';
import { bindAll } from './binds';
import { inlineJsonPaths } from './json-paths';
import { installTrinoMacros } from './macros';
import { lockDown } from './sandbox';
import { createLakeViews } from './views';

// The embedded access index: built by DuckDB from the lake's views (compacted Parquet plus any raw
// objects beside it) with the domain's build statement, one Parquet file per day, incrementally:
// a day is rebuilt when one of the log partitions it reads changed. Once every day of a calendar
// month is indexed, the month's day files are merged into one, sorted again: a year is then a
// dozen files instead of 365, and a study's rows of a month sit in one or two row groups. A change
// to a day of a merged month dissolves the month (its days are rebuilt, then merged again).
// Crash-safe as compaction is: files are written aside, renamed, then listed by a manifest
// written atomically; files it no longer lists are removed after.

export type DuckDbAccessIndexOptions = {
  /** Days before the newest delivery day left to the raw logs (still being delivered). */
  lagDays?: number;
  /** Days built per statement. */
  chunkDays?: number;
  threads?: number;
  memoryLimit?: string;
  tempDir: string;
};

/** Rows per row group in a day's file: a study's accesses of a day fall in one or two of them (rows are sorted by study). */
const DAY_ROW_GROUP_ROWS = 16_384;
/**
 * Rows per row group in a month's file: smaller, so that a study's accesses of a month fall in one
 * or two narrow row groups and a reader skipping by statistics reads little beyond them.
 */
const MONTH_ROW_GROUP_ROWS = 4_096;
const SORT = ['source', 'image_set_id', 'study_prefix', 'event_time', 'request_id', 'event_id'];

const toDay = (partitionDay: string) => partitionDay.replaceAll('/', '-');

/** For each delivery day (YYYY-MM-DD), a digest of what its log partitions hold now. */
async function partitionDigests(lake: LakeLocation): Promise<Map<string, string>> {
  const manifest = await readCompactManifest(lake);
  const partitions = await scanLake(lake, [...LOG_TABLES], 'all', { known: coveredFingerprints(manifest) });
  const parts = new Map<string, string[]>();
  for (const p of partitions) {
    const entry = manifest.partitions[partitionKey(p.table, p.id)];
    const coverage = partitionCoverage(entry, p.files);
    const files = coverage.usable ? coverage.uncovered : p.files;
    const parquet = coverage.usable ? (entry?.parquet?.path ?? '-') : '-';
    const line = `${p.table}:${p.id}:${parquet}:${files.map((f) => `${f.path}@${f.fingerprint}`).sort().join(',')}`;
    const day = toDay(p.day);
    parts.set(day, [...(parts.get(day) ?? []), line]);
  }
  return new Map([...parts].map(([day, lines]) => [day, createHash('sha256').update(lines.sort().join('\n')).digest('hex')]));
}

/** The inputs of index day D: the partitions of D−1 (records just before midnight), D and D+1 (late delivery). */
function dayInputs(digests: Map<string, string>, day: string): string {
  const parts = [-1, 0, 1].map((d) => digests.get(addDays(day, d)) ?? '');
  return createHash('sha256').update(parts.join('|')).digest('hex');
}

/** Consecutive runs of `days` (sorted), each at most `size` long. */
function chunks(days: string[], size: number): ScanScope[] {
  const out: ScanScope[] = [];
  for (const day of days) {
    const last = out.at(-1);
    if (last && addDays(last.to, 1) === day && daysBetween(last.from, day).length <= size) last.to = day;
    else out.push({ from: day, to: day });
  }
  return out;
}

/** `through`: the last of the due days indexed without a gap from the first; `from`: that first day. */
function setWatermark(manifest: AccessIndexManifest, due: string[]): void {
  let through: string | null = null;
  for (const day of due) {
    if (!manifest.days[day]) break;
    through = day;
  }
  manifest.through = through;
  manifest.from = through ? due[0]! : null;
}

/** Deletes index files the manifest does not list (a crashed build's, or superseded ones). */
async function removeUnlisted(lake: LakeLocation, manifest: AccessIndexManifest): Promise<void> {
  const listed = new Set(listedIndexFiles(manifest).map((file) => path.join(lake.dir, file)));
  for (const file of await filesUnder(path.join(lake.dir, ACCESS_INDEX_DIR))) {
    if ((file.endsWith('.parquet') || file.endsWith('.tmp')) && !listed.has(file)) await fs.rm(file, { force: true });
  }
}

type Written = { file: string | null; bytes: number; rows: number };

/** Writes the rows `from` yields, sorted, to a new file in `folder` (aside, then renamed); no file when there are none. */
async function writeSorted(conn: DuckDBConnection, lake: LakeLocation, folder: string, from: string, rowGroupRows: number): Promise<Written> {
  const key = `${ACCESS_INDEX_DIR}/${folder}/part-${randomUUID()}.parquet`;
  const final = path.join(lake.dir, key);
  const tmp = `${final}.tmp`;
  await fs.mkdir(path.dirname(final), { recursive: true });
  // Sorted into a table first, then copied in its order: sorting inside COPY holds the writer's
  // small row groups and the sort at once, which a month at 4,096 rows a group did not fit in 1 GB.
  await conn.run(`CREATE OR REPLACE TEMP TABLE sorted_rows AS SELECT ${ACCESS_INDEX_COLUMNS.map(quoteIdent).join(', ')} FROM ${from} ORDER BY ${SORT.join(', ')}`);
  let result;
  try {
    result = await conn.runAndReadAll(`COPY sorted_rows TO ${sqlString(tmp)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${rowGroupRows})`);
  } finally {
    await conn.run('DROP TABLE IF EXISTS sorted_rows');
  }
  const rows = Number(result.getRows()[0]?.[0] ?? 0);
  if (rows === 0) {
    await fs.rm(path.dirname(final), { recursive: true, force: true });
    return { file: null, bytes: 0, rows: 0 };
  }
  await fsyncFile(tmp);
  await fs.rename(tmp, final);
  await syncDir(path.dirname(final));
  return { file: key, bytes: (await fs.stat(final)).size, rows };
}

const writeDay = (conn: DuckDBConnection, lake: LakeLocation, day: string) =>
  writeSorted(conn, lake, `day=${day}`, `access_chunk WHERE day = ${sqlString(day)}`, DAY_ROW_GROUP_ROWS);

const monthOf = (day: string) => day.slice(0, 7);
const lastDayOfMonth = (month: string) => addDays(`${nextMonth(month)}-01`, -1);
function nextMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

/** `days` (in order) grouped by calendar month. */
function byMonth(days: string[]): Map<string, string[]> {
  const months = new Map<string, string[]>();
  for (const day of days) {
    const month = monthOf(day);
    const list = months.get(month);
    if (list) list.push(day);
    else months.set(month, [day]);
  }
  return months;
}

/** The due days by month, for the months every due day of which is indexed and whose last calendar day is due. */
function completeMonths(manifest: AccessIndexManifest, due: string[]): Map<string, string[]> {
  const last = due.at(-1);
  return new Map(
    [...byMonth(due)].filter(([month, days]) => last !== undefined && lastDayOfMonth(month) <= last && days.every((day) => manifest.days[day])),
  );
}

/**
 * Drops the merged months that no longer match the due days (a day's logs changed, or days were
 * added before the lake's first): their days are left to be rebuilt. Returns the files they held.
 */
function dissolveChangedMonths(manifest: AccessIndexManifest, due: string[]): string[] {
  const superseded: string[] = [];
  const dueByMonth = byMonth(due);
  for (const [month, merged] of Object.entries(manifest.months ?? {})) {
    const intact =
      merged.days.join() === (dueByMonth.get(month) ?? []).join() && merged.days.every((day) => manifest.days[day]?.month === month);
    if (intact) continue;
    if (merged.file) superseded.push(merged.file);
    delete manifest.months![month];
    for (const day of merged.days) if (manifest.days[day]?.month === month) delete manifest.days[day];
  }
  return superseded;
}

function throwIfAborted(signal: AbortSignal | undefined) {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('index build cancelled');
}

export function duckDbAccessIndex(lake: LakeLocation, options: DuckDbAccessIndexOptions): AccessIndexPort {
  const lagDays = options.lagDays ?? 2;
  const chunkDays = options.chunkDays ?? 31;
  // Refreshes asked of this engine run one after the other (the second then finds little to do).
  let queue: Promise<unknown> = Promise.resolve();
  return {
    span: async () => {
      const { from, through } = await currentAccessIndexManifest(lake);
      return from && through ? { from, through } : null;
    },
    refresh: (build: AccessIndexBuild, options: { signal?: AbortSignal } = {}): Promise<AccessIndexRefresh> => {
      const next = queue.then(() => refresh(build, options));
      queue = next.catch(() => undefined);
      return next;
    },
  };

  async function refresh(build: AccessIndexBuild, { signal }: { signal?: AbortSignal }): Promise<AccessIndexRefresh> {
    const started = performance.now();
    const release = await acquireLakeLock(path.join(lake.dir, ACCESS_INDEX_DIR, '.lock'), 'access index build');
    const report: AccessIndexRefresh = { daysBuilt: 0, monthsMerged: 0, rows: 0, bytesWritten: 0, through: null, seconds: 0 };
    let instance: DuckDBInstance | undefined;
    try {
      const manifest = await readAccessIndexManifest(lake);
      await removeUnlisted(lake, manifest);
      const digests = await partitionDigests(lake);
      const known = [...digests.keys()].sort();
      const last = known.at(-1);
      const due = last ? daysBetween(known[0]!, addDays(last, -lagDays)) : [];
      const inputs = new Map(due.map((day) => [day, dayInputs(digests, day)]));
      const superseded: string[] = [];
      for (const [day, entry] of Object.entries(manifest.days)) {
        if (inputs.get(day) === entry.inputs) continue;
        if (entry.file) superseded.push(entry.file);
        delete manifest.days[day];
      }
      superseded.push(...dissolveChangedMonths(manifest, due));
      const stale = due.filter((day) => !manifest.days[day]);
      let conn: DuckDBConnection | undefined;
      const connect = async () => {
        if (conn) return conn;
        instance = await DuckDBInstance.create(':memory:', {
          threads: String(options.threads ?? 2),
          memory_limit: options.memoryLimit ?? DEFAULT_DUCKDB_MEMORY_LIMIT,
          temp_directory: path.join(options.tempDir, `index-${randomUUID()}`),
        });
        conn = await instance.connect();
        await installTrinoMacros(conn);
        await lockDown(conn, [lake.dir, path.join(lake.dir, CUSTOS_DIR)]);
        return conn;
      };
      if (stale.length > 0) {
        const conn = await connect();
        for (const chunk of chunks(stale, chunkDays)) {
          throwIfAborted(signal);
          await createLakeViews(conn, lake, [...LOG_TABLES], { from: addDays(chunk.from, -1), to: chunk.to });
          const statement = build.select(chunk);
          const prepared = await conn.prepare(`CREATE OR REPLACE TEMP TABLE access_chunk AS ${inlineJsonPaths(statement.sql)}`);
          bindAll(prepared, statement.binds);
          await prepared.run();
          for (const day of daysBetween(chunk.from, chunk.to)) {
            const written = await writeDay(conn, lake, day);
            manifest.days[day] = { ...written, inputs: inputs.get(day)! };
            report.daysBuilt++;
            report.rows += written.rows;
            report.bytesWritten += written.bytes;
          }
          await conn.run('DROP TABLE access_chunk');
          setWatermark(manifest, due);
          await writeAccessIndexManifest(lake, manifest);
        }
      }
      for (const [month, days] of completeMonths(manifest, due)) {
        if (manifest.months?.[month]) continue;
        throwIfAborted(signal);
        const files = days.flatMap((day) => (manifest.days[day]!.file ? [path.join(lake.dir, manifest.days[day]!.file!)] : []));
        const merged =
          files.length > 0
            ? await writeSorted(await connect(), lake, `month=${month}`, `read_parquet([${files.map(sqlString).join(', ')}], hive_partitioning = false)`, MONTH_ROW_GROUP_ROWS)
            : { file: null, bytes: 0, rows: 0 };
        manifest.months = { ...manifest.months, [month]: { ...merged, days } };
        report.bytesWritten += merged.bytes;
        for (const day of days) {
          const entry = manifest.days[day]!;
          if (entry.file) superseded.push(entry.file);
          manifest.days[day] = { ...entry, file: null, bytes: 0, month };
        }
        report.monthsMerged!++;
        await writeAccessIndexManifest(lake, manifest);
      }
      conn?.closeSync();
      setWatermark(manifest, due);
      await writeAccessIndexManifest(lake, manifest);
      for (const file of superseded) await fs.rm(path.join(lake.dir, file), { force: true });
      report.through = manifest.through;
      report.seconds = Math.round(performance.now() - started) / 1000;
      return report;
    } finally {
      instance?.closeSync();
      await release();
    }
  }
}
