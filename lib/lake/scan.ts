// Finds the raw objects a read needs, in the exact AWS key layouts. A bounded scope visits only
// the day folders of that scope (plus one day for late delivery) under each account/region/bucket
// prefix; nothing else in the lake is listed. Objects that do not match an AWS key pattern
// (digests, sidecars, truth.json, _custos/) are never counted.
import { statSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseAccessLogKey, parseCloudTrailLogKey, partitionDays } from './layout';
import { isHiddenObject, isParquetFile } from './sources/catalog';
import {
  csvSchemaColumns,
  manifestKeyForHiveDir,
  parseInventoryManifest,
  parseSymlink,
  s3UriToLakeKey,
  type InventoryFormat,
  type InventoryManifest,
} from './sources/inventory';
import { errorMessage } from './sources/types';
import type { LakeLocation, LakeTable, ScanScope } from './tables';
import { LruMap } from '@/lib/lru-map';


export type RawKind = 'cloudtrail' | 'access-log' | 'inventory-csv' | 'inventory-parquet' | 'inventory-orc' | 'catalog';

export type RawFile = {
  table: LakeTable;
  kind: RawKind;
  /** Key relative to the lake root, '/'-separated. */
  path: string;
  size: number;
  mtimeMs: number;
  /** Changes whenever the object, or the inventory manifest it is read with, changes. */
  fingerprint: string;
  /** Partition column values Athena derives from the key. */
  partition: Record<string, string>;
  /** Why the object cannot be read at all (missing, ORC, no manifest …); it is then rejected whole. */
  problem?: string;
  /** Inventory CSV: table column for each CSV field, in manifest order. */
  csvSchema?: (string | null)[];
  /** MD5 the inventory manifest lists for this data file. */
  md5?: string;
};

export type RawPartition = {
  table: LakeTable;
  /** Lake-relative folder of the partition's objects; unique per table. */
  id: string;
  /** 'YYYY/MM/DD' for the log tables, the dt value for the inventory, '' for the catalog. */
  day: string;
  files: RawFile[];
};

export const CUSTOS_DIR = '_custos';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function assertScope(scope: ScanScope): void {
  if (!DAY.test(scope.from) || !DAY.test(scope.to) || Number.isNaN(Date.parse(`${scope.from}T00:00:00Z`)) || Number.isNaN(Date.parse(`${scope.to}T00:00:00Z`))) {
    throw new Error(`invalid scan scope ${JSON.stringify(scope)}: days must be YYYY-MM-DD`);
  }
  if (scope.from > scope.to) throw new Error(`invalid scan scope: ${scope.from} is after ${scope.to}`);
}

/** Day folders ('YYYY/MM/DD') a scope reads from the log tables. */
export function scopeDays(scope: ScanScope): string[] {
  assertScope(scope);
  return partitionDays(scope.from, scope.to);
}

const toKey = (...parts: string[]) => parts.filter((p) => p !== '').join('/').replace(/\/+/g, '/');

async function entries(lakeDir: string, key: string): Promise<{ dirs: string[]; files: string[] }> {
  try {
    const list = await fs.readdir(path.join(lakeDir, key), { withFileTypes: true });
    const dirs: string[] = [];
    const files: string[] = [];
    for (const e of list) {
      if (e.isDirectory()) dirs.push(e.name);
      else if (e.isFile()) files.push(e.name);
    }
    return { dirs: dirs.sort(), files: files.sort() };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') {
      return { dirs: [], files: [] };
    }
    throw error;
  }
}

/** Day folders under a YYYY/MM/DD tree: only `days` when given, else every one present. */
async function dayFolders(lakeDir: string, base: string, days: string[] | null): Promise<string[]> {
  if (days) return days;
  const out: string[] = [];
  for (const y of (await entries(lakeDir, base)).dirs.filter((d) => /^\d{4}$/.test(d))) {
    for (const m of (await entries(lakeDir, toKey(base, y))).dirs.filter((d) => /^\d{2}$/.test(d))) {
      for (const d of (await entries(lakeDir, toKey(base, y, m))).dirs.filter((x) => /^\d{2}$/.test(x))) {
        out.push(`${y}/${m}/${d}`);
      }
    }
  }
  return out;
}

type FileStat = { size: number; mtimeMs: number };

function statFile(lakeDir: string, key: string): FileStat | null {
  const s = statSync(path.join(lakeDir, key), { throwIfNoEntry: false });
  return s?.isFile() ? { size: s.size, mtimeMs: s.mtimeMs } : null;
}

export type ScanOptions = {
  /**
   * Fingerprints already known for objects (those a compacted partition holds): such objects are
   * not stat'ed again. Query planning passes them, so a read of a year's lake does not stat
   * ~200,000 immutable log objects; compaction and `lake check` stat everything.
   */
  known?: ReadonlyMap<string, string>;
};

const fingerprintOf = (s: FileStat) => `${s.size}:${s.mtimeMs}`;

function statOf(fingerprint: string): FileStat {
  const [size, mtimeMs] = fingerprint.split(':').map(Number);
  return { size: size!, mtimeMs: mtimeMs! };
}

type Listing = { stamp: string; objects: { key: string; parsed: unknown }[] };
const listings = new LruMap<string, Listing>(20_000);

/**
 * The keys of a folder's objects that `parse` accepts, parsed; remembered until the folder changes
 * (an object added, removed or renamed changes the folder's mtime), so planning a year's read does
 * not list and parse ~200,000 object names again for every query.
 */
async function folderListing<T>(lakeDir: string, folder: string, parse: (key: string) => T | null): Promise<{ key: string; parsed: T }[]> {
  const dir = path.join(lakeDir, folder);
  const s = statSync(dir, { throwIfNoEntry: false });
  const stamp = s?.isDirectory() ? `${s.ino}:${s.mtimeMs}` : null;
  const hit = stamp ? listings.get(dir) : undefined;
  if (hit && hit.stamp === stamp) return hit.objects as { key: string; parsed: T }[];
  const objects: { key: string; parsed: T }[] = [];
  for (const name of (await entries(lakeDir, folder)).files) {
    const key = toKey(folder, name);
    const parsed = parse(key);
    if (parsed !== null) objects.push({ key, parsed });
  }
  // a folder written to within the last second may change again unseen by a coarse mtime: not kept
  if (stamp && s && Date.now() - s.mtimeMs > 1000) {
    listings.set(dir, { stamp, objects });
  }
  return objects;
}

/**
 * The objects of one folder whose names `parse` accepts, with their size, mtime and fingerprint
 * (known ones are not stat'ed). Synchronous stats are several times faster than one promise per
 * object on folders of hundreds of small log files; the event loop gets a turn after each folder.
 */
type FolderObject<T> = { key: string; parsed: T; stat: FileStat; fingerprint: string };
/** A folder's objects when every one was known, for the same listing and the same known fingerprints. */
const allKnown = new WeakMap<object, WeakMap<ReadonlyMap<string, string>, FolderObject<unknown>[]>>();

async function folderObjects<T>(lakeDir: string, folder: string, parse: (key: string) => T | null, known?: ReadonlyMap<string, string>) {
  const listing = await folderListing(lakeDir, folder, parse);
  const memo = known ? allKnown.get(listing)?.get(known) : undefined;
  if (memo) return memo as FolderObject<T>[];
  const out: FolderObject<T>[] = [];
  let stated = false;
  for (const { key, parsed } of listing) {
    const recorded = known?.get(key);
    stated ||= recorded === undefined;
    const stat = recorded !== undefined ? statOf(recorded) : statFile(lakeDir, key);
    if (stat) out.push({ key, parsed, stat, fingerprint: recorded ?? fingerprintOf(stat) });
  }
  if (known && !stated) {
    const byKnown = allKnown.get(listing) ?? new WeakMap();
    byKnown.set(known, out);
    allKnown.set(listing, byKnown);
  }
  await new Promise((resolve) => setImmediate(resolve));
  return out;
}


/** A folder holding YYYY/MM/DD day folders of one log stream, and what it is the stream of. */
export type LogRoot = {
  /** Lake-relative folder, '/'-separated, without a trailing slash. */
  key: string;
  /** CloudTrail: the Region; access logs: account/region/source bucket. */
  location: string;
};

/** The CloudTrail log folders (AWSLogs/[o-id/]<account>/CloudTrail/<region>) of the lake. */
async function cloudTrailRoots(lake: LakeLocation): Promise<LogRoot[]> {
  const root = toKey(lake.layout.cloudtrailPrefix, 'AWSLogs');
  const accountRoots: string[] = [];
  for (const top of (await entries(lake.dir, root)).dirs) {
    if (/^o-[a-z0-9]{10,32}$/.test(top)) {
      for (const account of (await entries(lake.dir, toKey(root, top))).dirs) {
        if (/^\d{12}$/.test(account)) accountRoots.push(toKey(root, top, account));
      }
    } else if (/^\d{12}$/.test(top)) {
      accountRoots.push(toKey(root, top));
    }
  }
  const out: LogRoot[] = [];
  for (const accountRoot of accountRoots) {
    const trail = toKey(accountRoot, 'CloudTrail');
    for (const region of (await entries(lake.dir, trail)).dirs.filter((r) => /^[a-z0-9-]+$/.test(r))) {
      out.push({ key: toKey(trail, region), location: region });
    }
  }
  return out;
}

/** The access-log folders (<prefix><account>/<region>/<source bucket>) of the lake. */
async function accessLogRoots(lake: LakeLocation): Promise<LogRoot[]> {
  const root = lake.layout.accessLogPrefix.replace(/\/+$/, '');
  const out: LogRoot[] = [];
  for (const account of (await entries(lake.dir, root)).dirs.filter((a) => /^\d{12}$/.test(a))) {
    for (const region of (await entries(lake.dir, toKey(root, account))).dirs.filter((r) => /^[a-z0-9-]+$/.test(r))) {
      for (const bucket of (await entries(lake.dir, toKey(root, account, region))).dirs) {
        out.push({ key: toKey(root, account, region, bucket), location: `${account}/${region}/${bucket}` });
      }
    }
  }
  return out;
}

/** The folders of a date-partitioned log table, each with every day folder ('YYYY/MM/DD') it holds (folders only: no object is listed). */
export async function logDayFolders(lake: LakeLocation, table: 'cloudtrail_logs' | 's3_access_logs'): Promise<(LogRoot & { days: string[] })[]> {
  const roots = table === 'cloudtrail_logs' ? await cloudTrailRoots(lake) : await accessLogRoots(lake);
  return Promise.all(roots.map(async (r) => ({ ...r, days: await dayFolders(lake.dir, r.key, null) })));
}

/** The inventory reports' hive folders (…/hive/dt=YYYY-MM-DD-HH-MM) that hold a symlink.txt. */
export async function inventoryReportFolders(lake: LakeLocation): Promise<{ key: string; dt: string }[]> {
  const root = lake.layout.inventoryPrefix.replace(/\/+$/, '');
  const out: { key: string; dt: string }[] = [];
  for (const bucket of (await entries(lake.dir, root)).dirs) {
    for (const config of (await entries(lake.dir, toKey(root, bucket))).dirs) {
      const hive = toKey(root, bucket, config, 'hive');
      for (const dtDir of (await entries(lake.dir, hive)).dirs) {
        const m = /^dt=(\d{4}-\d{2}-\d{2}-\d{2}-\d{2})$/.exec(dtDir);
        if (m && statFile(lake.dir, toKey(hive, dtDir, 'symlink.txt'))) out.push({ key: toKey(hive, dtDir), dt: m[1]! });
      }
    }
  }
  return out;
}

async function scanCloudTrail(lake: LakeLocation, days: string[] | null, options: ScanOptions): Promise<RawPartition[]> {
  const out: RawPartition[] = [];
  for (const { key: regionKey } of await cloudTrailRoots(lake)) {
    for (const day of await dayFolders(lake.dir, regionKey, days)) {
      const folder = toKey(regionKey, day);
      const files: RawFile[] = (await folderObjects(lake.dir, folder, parseCloudTrailLogKey, options.known)).map((o) => ({
        table: 'cloudtrail_logs',
        kind: 'cloudtrail',
        path: o.key,
        ...o.stat,
        fingerprint: o.fingerprint,
        partition: { account: o.parsed.account, region: o.parsed.region, timestamp: o.parsed.day },
      }));
      if (files.length > 0) out.push({ table: 'cloudtrail_logs', id: folder, day, files });
    }
  }
  return out;
}

async function scanAccessLogs(lake: LakeLocation, days: string[] | null, options: ScanOptions): Promise<RawPartition[]> {
  const prefix = lake.layout.accessLogPrefix;
  const out: RawPartition[] = [];
  for (const { key: bucketKey } of await accessLogRoots(lake)) {
    for (const day of await dayFolders(lake.dir, bucketKey, days)) {
      const folder = toKey(bucketKey, day);
      const parse = (key: string) => parseAccessLogKey(key.slice(prefix.length));
      const files: RawFile[] = (await folderObjects(lake.dir, folder, parse, options.known)).map((o) => ({
        table: 's3_access_logs',
        kind: 'access-log',
        path: o.key,
        ...o.stat,
        fingerprint: o.fingerprint,
        partition: { timestamp: o.parsed.day },
      }));
      if (files.length > 0) out.push({ table: 's3_access_logs', id: folder, day, files });
    }
  }
  return out;
}

function formatFromKey(key: string): InventoryFormat | null {
  if (/\.csv(\.gz)?$/i.test(key)) return 'CSV';
  if (/\.parquet$/i.test(key)) return 'Parquet';
  if (/\.orc$/i.test(key)) return 'ORC';
  return null;
}

async function readInventoryReport(lake: LakeLocation, hiveDir: string, dt: string): Promise<RawPartition | null> {
  const symlinkKey = toKey(hiveDir, 'symlink.txt');
  const symlinkStat = statFile(lake.dir, symlinkKey);
  if (!symlinkStat) return null;
  const uris = parseSymlink(await fs.readFile(path.join(lake.dir, symlinkKey), 'utf8'));
  const manifestKey = manifestKeyForHiveDir(hiveDir);
  const manifestStat = manifestKey ? statFile(lake.dir, manifestKey) : null;
  let manifest: InventoryManifest | null = null;
  let manifestProblem: string | null = manifestStat ? null : 'no manifest.json for this report';
  if (manifestKey && manifestStat) {
    try {
      manifest = parseInventoryManifest(await fs.readFile(path.join(lake.dir, manifestKey), 'utf8'));
    } catch (error) {
      manifestProblem = `manifest.json unreadable: ${errorMessage(error)}`;
    }
  }
  const reportPrint = `${fingerprintOf(symlinkStat)}:${manifestStat ? fingerprintOf(manifestStat) : '-'}`;
  const files: RawFile[] = [];
  for (const uri of uris) {
    const key = s3UriToLakeKey(uri);
    const base = { table: 's3_inventory' as const, partition: { dt } };
    if (!key) {
      files.push({ ...base, kind: 'inventory-csv', path: uri, size: 0, mtimeMs: 0, fingerprint: reportPrint, problem: 'symlink.txt entry is not an s3:// URI' });
      continue;
    }
    const format = manifest?.fileFormat ?? formatFromKey(key);
    const kind = format === 'Parquet' ? 'inventory-parquet' : format === 'ORC' ? 'inventory-orc' : 'inventory-csv';
    const stat = statFile(lake.dir, key);
    const entry = manifest?.files.find((f) => f.key === key) ?? manifest?.files.find((f) => path.posix.basename(f.key) === path.posix.basename(key));
    const file: RawFile = {
      ...base,
      kind,
      path: key,
      size: stat?.size ?? 0,
      mtimeMs: stat?.mtimeMs ?? 0,
      fingerprint: `${stat ? fingerprintOf(stat) : 'missing'}:${reportPrint}`,
      ...(entry?.MD5checksum ? { md5: entry.MD5checksum } : {}),
    };
    if (!stat) file.problem = 'listed in symlink.txt but the object does not exist';
    else if (format === 'ORC') file.problem = 'ORC inventory reports cannot be read by the embedded engine (no ORC reader in DuckDB); configure the report as CSV or Parquet, or query it with Athena';
    else if (format === null) file.problem = 'unknown inventory data format';
    else if (format === 'CSV') {
      if (!manifest) file.problem = `${manifestProblem ?? 'no manifest'}: the CSV column order is unknown`;
      else file.csvSchema = csvSchemaColumns(manifest.fileSchema);
    }
    files.push(file);
  }
  return { table: 's3_inventory', id: hiveDir, day: dt, files };
}

async function scanInventory(lake: LakeLocation): Promise<RawPartition[]> {
  const out: RawPartition[] = [];
  for (const { key, dt } of await inventoryReportFolders(lake)) {
    const report = await readInventoryReport(lake, key, dt);
    if (report && report.files.length > 0) out.push(report);
  }
  return out;
}

async function scanCatalog(lake: LakeLocation): Promise<RawPartition[]> {
  const root = lake.layout.catalogPrefix.replace(/\/+$/, '');
  const files: RawFile[] = [];
  const walk = async (key: string) => {
    const { dirs, files: names } = await entries(lake.dir, key);
    for (const name of names.filter((n) => !isHiddenObject(n))) {
      const fileKey = toKey(key, name);
      const stat = statFile(lake.dir, fileKey);
      if (!stat) continue;
      const file: RawFile = { table: 'study_catalog', kind: 'catalog', path: fileKey, ...stat, fingerprint: fingerprintOf(stat), partition: {} };
      if (!(await isParquetFile(path.join(lake.dir, fileKey)))) file.problem = 'not a Parquet file';
      files.push(file);
    }
    for (const dir of dirs.filter((d) => !isHiddenObject(d))) await walk(toKey(key, dir));
  };
  await walk(root);
  return files.length > 0 ? [{ table: 'study_catalog', id: root, day: '', files }] : [];
}

/**
 * The raw partitions of `tables`: for the two log tables only the day folders of `scope`
 * (plus the late-delivery day), or every day when `scope` is 'all'.
 */
export async function scanLake(lake: LakeLocation, tables: LakeTable[], scope: ScanScope | 'all', options: ScanOptions = {}): Promise<RawPartition[]> {
  const days = scope === 'all' ? null : scopeDays(scope);
  const out: RawPartition[] = [];
  if (tables.includes('cloudtrail_logs')) out.push(...(await scanCloudTrail(lake, days, options)));
  if (tables.includes('s3_access_logs')) out.push(...(await scanAccessLogs(lake, days, options)));
  if (tables.includes('s3_inventory')) out.push(...(await scanInventory(lake)));
  if (tables.includes('study_catalog')) out.push(...(await scanCatalog(lake)));
  return out;
}
