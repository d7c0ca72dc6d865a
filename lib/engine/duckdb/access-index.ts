import 'server-only';
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { addDays, daysBetween } from '@/lib/days';
import type { AccessIndexBuild, AccessIndexPort, AccessIndexRefresh } from '@/lib/engine/port';
import {
  ACCESS_INDEX_COLUMNS,
  ACCESS_INDEX_DIR,
  readAccessIndexManifest,
  writeAccessIndexManifest,
  type AccessIndexManifest,
} from '@/lib/lake/access-index-manifest';
import { coveredFingerprints, partitionCoverage, partitionKey, readCompactManifest, fsyncFile, syncDir } from '@/lib/lake/compact-manifest';
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
// a day is rebuilt when one of the log partitions it reads changed. Crash-safe as compaction is:
// files are written aside, renamed, then listed by a manifest written atomically.

export type DuckDbAccessIndexOptions = {
  /** Days before the newest delivery day left to the raw logs (still being delivered). */
  lagDays?: number;
  /** Days built per statement. */
  chunkDays?: number;
  threads?: number;
  memoryLimit?: string;
  tempDir: string;
};

/** Rows per row group: a study's accesses of a day fall in one or two of them (rows are sorted by study). */
const ROW_GROUP_ROWS = 16_384;
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

function watermark(manifest: AccessIndexManifest, due: string[]): string | null {
  let through: string | null = null;
  for (const day of due) {
    if (!manifest.days[day]) break;
    through = day;
  }
  return through;
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile() && (e.name.endsWith('.parquet') || e.name.endsWith('.tmp'))).map((e) => path.join(e.parentPath, e.name));
}

/** Deletes index files the manifest does not list (a crashed build's, or superseded ones). */
async function removeUnlisted(lake: LakeLocation, manifest: AccessIndexManifest): Promise<void> {
  const listed = new Set(Object.values(manifest.days).flatMap((d) => (d.file ? [path.join(lake.dir, d.file)] : [])));
  for (const file of await listFiles(path.join(lake.dir, ACCESS_INDEX_DIR))) {
    if (!listed.has(file)) await fs.rm(file, { force: true });
  }
}

async function writeDay(conn: DuckDBConnection, lake: LakeLocation, day: string): Promise<{ file: string | null; bytes: number; rows: number }> {
  const key = `${ACCESS_INDEX_DIR}/day=${day}/part-${randomUUID()}.parquet`;
  const final = path.join(lake.dir, key);
  const tmp = `${final}.tmp`;
  await fs.mkdir(path.dirname(final), { recursive: true });
  const select = `SELECT ${ACCESS_INDEX_COLUMNS.map(quoteIdent).join(', ')} FROM access_chunk WHERE day = ${sqlString(day)} ORDER BY ${SORT.join(', ')}`;
  const result = await conn.runAndReadAll(
    `COPY (${select}) TO ${sqlString(tmp)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${ROW_GROUP_ROWS})`,
  );
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

export function duckDbAccessIndex(lake: LakeLocation, options: DuckDbAccessIndexOptions): AccessIndexPort {
  const lagDays = options.lagDays ?? 2;
  const chunkDays = options.chunkDays ?? 31;
  // Refreshes asked of this engine run one after the other (the second then finds little to do).
  let queue: Promise<unknown> = Promise.resolve();
  return {
    span: async () => {
      const { from, through } = await readAccessIndexManifest(lake);
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
    const report: AccessIndexRefresh = { daysBuilt: 0, rows: 0, bytesWritten: 0, through: null, seconds: 0 };
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
      const stale = due.filter((day) => !manifest.days[day]);
      if (stale.length > 0) {
        instance = await DuckDBInstance.create(':memory:', {
          threads: String(options.threads ?? 2),
          memory_limit: options.memoryLimit ?? '1GB',
          temp_directory: path.join(options.tempDir, `index-${randomUUID()}`),
        });
        const conn = await instance.connect();
        await installTrinoMacros(conn);
        await lockDown(conn, [lake.dir, path.join(lake.dir, CUSTOS_DIR)]);
        for (const chunk of chunks(stale, chunkDays)) {
          if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('index build cancelled');
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
          manifest.through = watermark(manifest, due);
          manifest.from = manifest.through ? due[0]! : null;
          await writeAccessIndexManifest(lake, manifest);
        }
        conn.closeSync();
      }
      manifest.through = watermark(manifest, due);
      manifest.from = manifest.through ? due[0]! : null;
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
