import 'server-only';
import { daysBetween } from '@/lib/days';
import type { LogCoverage } from '@/lib/engine/port';
import {
  COVERAGE_SOURCE,
  accessLogDelivery,
  buildCoverage,
  cloudTrailDelivery,
  coverageTables,
  dayExtent,
  inventoryDelivery,
  lastDeliveryDay,
  type Delivery,
  type SourceListing,
} from '@/lib/lake/coverage';
import type { LakeTable, ScanScope } from '@/lib/lake/tables';
import type { AthenaContext } from './context';
import { LIST_CONCURRENCY, accessLogRoots, dayPrefixes, eachObject, edgeDayFolder, listFolders, mapLimited, trailLocations } from './scan-estimate';

// Log coverage on Athena: the same keys the tables project, listed with ListObjectsV2 (one listing
// per day prefix of the window, whole months at once) and read by the same rules as the local lake.

type Stream = { root: string; location: string };

const present = <T>(value: T | null | undefined): value is T => value !== null && value !== undefined;

async function listDeliveries(ctx: AthenaContext, prefixes: string[], parse: (key: string) => Delivery | null): Promise<Delivery[]> {
  const lists = await mapLimited(prefixes, LIST_CONCURRENCY, async (prefix) => {
    const out: Delivery[] = [];
    for await (const o of eachObject(ctx, ctx.config.logBucket, prefix)) {
      const delivery = parse(o.key);
      if (delivery) out.push(delivery);
    }
    return out;
  });
  return lists.flat();
}

async function logListing(ctx: AthenaContext, table: 'cloudtrail_logs' | 's3_access_logs', window: ScanScope): Promise<SourceListing> {
  const source = COVERAGE_SOURCE[table];
  const { layout } = ctx.config;
  const streams: Stream[] =
    table === 'cloudtrail_logs'
      ? (await trailLocations(ctx)).map((l) => ({ root: l.root, location: l.region }))
      : (await accessLogRoots(ctx)).map((root) => ({ root, location: root.slice(layout.accessLogPrefix.length, -1) }));
  const parse = table === 'cloudtrail_logs' ? cloudTrailDelivery : (key: string) => accessLogDelivery(layout, key);
  const windowDays = dayPrefixes(daysBetween(window.from, window.to).map((d) => d.replaceAll('-', '/')));
  const deliveries = await listDeliveries(ctx, streams.flatMap((s) => windowDays.map((d) => `${s.root}${d}`)), parse);
  const edges = await mapLimited(streams, LIST_CONCURRENCY, async (s) => [await edgeDayFolder(ctx, s.root, 'first'), await edgeDayFolder(ctx, s.root, 'last')]);
  const extent = dayExtent(edges.flat().filter(present));
  let lastDay = extent.lastDay;
  if (lastDay) {
    const newest = lastDay;
    const listed = newest >= window.from && newest <= window.to;
    const ofDay = listed ? deliveries : await listDeliveries(ctx, streams.map((s) => `${s.root}${newest.replaceAll('-', '/')}/`), parse);
    lastDay = lastDeliveryDay(source, newest, ofDay);
  }
  // A projected folder that never received a file (the estimate lists every account × Region) is no log stream.
  const locations = streams.filter((_, i) => edges[i]!.some(present)).map((s) => s.location);
  return { source, locations: [...new Set(locations)], deliveries, firstDay: extent.firstDay, lastDay };
}

/** Inventory reports are the `dt=` folders under each configuration's hive/ folder: two folder listings, no object listed. */
async function inventoryListing(ctx: AthenaContext): Promise<SourceListing> {
  const { config } = ctx;
  const base = `${config.layout.inventoryPrefix}${config.archiveBucket}/`;
  const configs = await listFolders(ctx, config.logBucket, base);
  const folders = await mapLimited(configs, LIST_CONCURRENCY, (id) => listFolders(ctx, config.logBucket, `${base}${id}/hive/`));
  const dts = [...new Set(folders.flat().map((name) => /^dt=(\d{4}-\d{2}-\d{2}-\d{2}-\d{2})$/.exec(name)?.[1]).filter(present))];
  const { firstDay, lastDay } = dayExtent(dts.map((dt) => dt.slice(0, 10)));
  return { source: 's3_inventory', locations: ['inventory'], deliveries: dts.map(inventoryDelivery), firstDay, lastDay };
}

/** The coverage of `window` by the logs of `tables` in the log bucket (null when none is a log source). */
export async function athenaCoverage(ctx: AthenaContext, tables: LakeTable[], window: ScanScope): Promise<LogCoverage | null> {
  const wanted = coverageTables(tables);
  if (wanted.length === 0) return null;
  const listings = await Promise.all(wanted.map((table) => (table === 's3_inventory' ? inventoryListing(ctx) : logListing(ctx, table, window))));
  return buildCoverage(window, listings);
}
