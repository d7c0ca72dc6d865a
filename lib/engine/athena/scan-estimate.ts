import 'server-only';
import { ListObjectsV2Command, type ListObjectsV2CommandOutput } from '@aws-sdk/client-s3';
import { EngineError, athenaCostUsd, type ScanEstimate } from '@/lib/engine/port';
import { partitionDays } from '@/lib/lake/layout';
import type { AthenaContext } from './context';
import { withRetry } from './retry';
import type { LakeTable, ScanScope } from '@/lib/lake/tables';

type ListedObject = { key: string; size: number; lastModified?: Date };

export const LIST_CONCURRENCY = 8;

async function listPage(
  ctx: AthenaContext,
  bucket: string,
  prefix: string,
  options: { delimiter?: string; token?: string; maxKeys?: number },
): Promise<ListObjectsV2CommandOutput> {
  return withRetry(
    's3:ListObjectsV2',
    () =>
      ctx.s3.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: prefix,
          Delimiter: options.delimiter,
          ContinuationToken: options.token,
          MaxKeys: options.maxKeys,
        }),
      ),
    ctx.retry,
  );
}

/** Every object under a prefix, page by page (following continuation tokens). */
export async function* eachObject(ctx: AthenaContext, bucket: string, prefix: string): AsyncGenerator<ListedObject> {
  let token: string | undefined;
  do {
    const page = await listPage(ctx, bucket, prefix, { token });
    for (const o of page.Contents ?? []) {
      if (o.Key !== undefined) yield { key: o.Key, size: o.Size ?? 0, lastModified: o.LastModified };
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

/** The immediate "folders" under a prefix (ListObjectsV2 with Delimiter '/'), without the prefix. */
export async function listFolders(ctx: AthenaContext, bucket: string, prefix: string): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  do {
    const page = await listPage(ctx, bucket, prefix, { delimiter: '/', token });
    for (const p of page.CommonPrefixes ?? []) {
      if (p.Prefix) out.push(p.Prefix.slice(prefix.length).replace(/\/$/, ''));
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out;
}

export async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Day folders ('YYYY/MM/DD') as the fewest list prefixes: a month whose every day is in scope is
 * listed once as 'YYYY/MM/'.
 */
export function dayPrefixes(days: string[]): string[] {
  const byMonth = new Map<string, string[]>();
  for (const day of days) {
    const month = day.slice(0, 7);
    byMonth.set(month, [...(byMonth.get(month) ?? []), day]);
  }
  const out: string[] = [];
  for (const [month, inMonth] of byMonth) {
    const [y, m] = month.split('/').map(Number) as [number, number];
    const daysInMonth = new Date(Date.UTC(y, m, 0)).getUTCDate();
    if (new Set(inMonth).size === daysInMonth) out.push(`${month}/`);
    else out.push(...inMonth.map((d) => `${d}/`));
  }
  return out;
}

/** CloudTrail owners the table projects: configured, or found under AWSLogs/ in the bucket. */
export async function trailLocations(ctx: AthenaContext): Promise<{ root: string; account: string; region: string }[]> {
  const { config } = ctx;
  const awsLogs = `${config.layout.cloudtrailPrefix}AWSLogs/${config.organizationId ? `${config.organizationId}/` : ''}`;
  const accounts =
    config.accounts.length > 0
      ? config.accounts
      : (await listFolders(ctx, config.logBucket, awsLogs)).filter((a) => /^\d{12}$/.test(a));
  const out: { root: string; account: string; region: string }[] = [];
  for (const account of accounts) {
    const base = `${awsLogs}${account}/CloudTrail/`;
    const regions = config.regions.length > 0 ? config.regions : await listFolders(ctx, config.logBucket, base);
    for (const region of regions) out.push({ root: `${base}${region}/`, account, region });
  }
  return out;
}

/** The archive bucket's access-log folders (PartitionedPrefix) the table reads, one per account × Region. */
export async function accessLogRoots(ctx: AthenaContext): Promise<string[]> {
  const { config } = ctx;
  const prefix = config.layout.accessLogPrefix;
  const accounts =
    config.accounts.length > 0
      ? config.accounts
      : (await listFolders(ctx, config.logBucket, prefix)).filter((a) => /^\d{12}$/.test(a));
  const roots: string[] = [];
  for (const account of accounts) {
    const regions =
      config.regions.length > 0 ? config.regions : await listFolders(ctx, config.logBucket, `${prefix}${account}/`);
    for (const region of regions) roots.push(`${prefix}${account}/${region}/${config.archiveBucket}/`);
  }
  return roots;
}

type TableScan = { files: number; bytes: number; partitions: number };

/** Counts and sizes of the objects under a prefix, summed page by page (no key is held). */
async function sizeOf(ctx: AthenaContext, bucket: string, prefix: string): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  let token: string | undefined;
  do {
    const page = await listPage(ctx, bucket, prefix, { token });
    for (const o of page.Contents ?? []) {
      files++;
      bytes += o.Size ?? 0;
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return { files, bytes };
}

async function sumPrefixes(ctx: AthenaContext, bucket: string, prefixes: string[]): Promise<{ files: number; bytes: number }> {
  const sizes = await mapLimited(prefixes, LIST_CONCURRENCY, (p) => sizeOf(ctx, bucket, p));
  return sizes.reduce((sum, s) => ({ files: sum.files + s.files, bytes: sum.bytes + s.bytes }), { files: 0, bytes: 0 });
}

async function datePartitionedScan(ctx: AthenaContext, roots: string[], scope: ScanScope): Promise<TableScan> {
  const days = partitionDays(scope.from, scope.to);
  const prefixes = roots.flatMap((root) => dayPrefixes(days).map((d) => `${root}${d}`));
  const sums = await sumPrefixes(ctx, ctx.config.logBucket, prefixes);
  return { ...sums, partitions: roots.length * days.length };
}

async function inventoryScan(ctx: AthenaContext, scope: ScanScope | null): Promise<TableScan> {
  const { config } = ctx;
  const objects = eachObject(ctx, config.logBucket, `${config.layout.inventoryPrefix}${config.archiveBucket}/`);
  const days = scope ? new Set(partitionDays(scope.from, scope.to).map((d) => d.replaceAll('/', '-'))) : null;
  const partitions = new Set<string>();
  let files = 0;
  let bytes = 0;
  for await (const o of objects) {
    const dt = /\/hive\/dt=(\d{4}-\d{2}-\d{2})-\d{2}-\d{2}\//.exec(o.key);
    if (dt && (!days || days.has(dt[1]!))) partitions.add(o.key.slice(0, o.key.lastIndexOf('/')));
    const delivered = o.lastModified?.toISOString().slice(0, 10);
    if (o.key.includes('/data/') && (!days || (delivered !== undefined && days.has(delivered)))) {
      files++;
      bytes += o.size;
    }
  }
  return { files, bytes, partitions: partitions.size };
}

function requireScope(table: LakeTable, scope: ScanScope | null): ScanScope {
  if (!scope) throw new EngineError(`${table} is partitioned by day: a query on it needs a date range.`, 'limit');
  return scope;
}

/**
 * What a query over `tables` would read: the objects under the partitions its scope projects,
 * listed with S3 ListObjectsV2. Athena reads whole objects of these formats, so the sum is what
 * it would scan (and bill) at most.
 */
export async function estimateScan(
  ctx: AthenaContext,
  tables: LakeTable[],
  scope: ScanScope | null,
): Promise<ScanEstimate> {
  const scans = await Promise.all(
    [...new Set(tables)].map(async (table): Promise<TableScan> => {
      switch (table) {
        case 'cloudtrail_logs': {
          const s = requireScope(table, scope);
          const roots = (await trailLocations(ctx)).map((l) => l.root);
          return datePartitionedScan(ctx, roots, s);
        }
        case 's3_access_logs':
          return datePartitionedScan(ctx, await accessLogRoots(ctx), requireScope(table, scope));
        case 's3_inventory':
          return inventoryScan(ctx, scope);
        case 'study_catalog': {
          const bucket = ctx.config.catalogBucket ?? ctx.config.logBucket;
          return { ...(await sumPrefixes(ctx, bucket, [ctx.config.layout.catalogPrefix])), partitions: 0 };
        }
      }
    }),
  );
  const total = scans.reduce(
    (acc, s) => ({ files: acc.files + s.files, bytes: acc.bytes + s.bytes, partitions: acc.partitions + s.partitions }),
    { files: 0, bytes: 0, partitions: 0 },
  );
  return { ...total, costUsd: athenaCostUsd(total.bytes) };
}

/** The first or last YYYY/MM/DD day folder under a prefix ('YYYY-MM-DD'), listing only year, month and day folders. */
export async function edgeDayFolder(ctx: AthenaContext, root: string, edge: 'first' | 'last'): Promise<string | null> {
  const pick = async (prefix: string, digits: number) => {
    const names = (await listFolders(ctx, ctx.config.logBucket, prefix)).filter((name) => new RegExp(`^\\d{${digits}}$`).test(name)).sort();
    return edge === 'first' ? names[0] : names.at(-1);
  };
  const year = await pick(root, 4);
  const month = year && (await pick(`${root}${year}/`, 2));
  const day = month && (await pick(`${root}${year}/${month}/`, 2));
  return day ? `${year}-${month}-${day}` : null;
}

/** The newest CloudTrail delivery day (YYYY-MM-DD), found by listing only year/month/day folders. */
export async function latestTrailDay(ctx: AthenaContext): Promise<string | null> {
  const found = await mapLimited(await trailLocations(ctx), LIST_CONCURRENCY, ({ root }) => edgeDayFolder(ctx, root, 'last'));
  return found.filter((d): d is string => d !== null).sort().at(-1) ?? null;
}
