// Log coverage over the local lake (the embedded engine): the raw layer's folders and object
// names, plus the objects the compaction manifest says its Parquet holds, so the answer is the
// same before and after compaction, and after compacted raw objects are gone.
import { nextDay } from '@/lib/days';
import type { LogCoverage } from '@/lib/engine/port';
import { coveredFingerprints, readCompactManifest, type CompactManifest } from './compact-manifest';
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
} from './coverage';
import { partitionDays } from './layout';
import { inventoryReportFolders, logDayFolders, scanLake } from './scan';
import type { LakeLocation, LakeTable, ScanScope } from './tables';

const known = <T>(value: T | null): value is T => value !== null;

async function logListing(lake: LakeLocation, manifest: CompactManifest, table: 'cloudtrail_logs' | 's3_access_logs', window: ScanScope): Promise<SourceListing> {
  const source = COVERAGE_SOURCE[table];
  const parse = (key: string) => (table === 'cloudtrail_logs' ? cloudTrailDelivery(key) : accessLogDelivery(lake.layout, key));
  const compacted = Object.values(manifest.partitions).filter((p) => p.table === table);
  const folders = await logDayFolders(lake, table);
  const locations = new Set(folders.map((f) => f.location));
  const allDays = new Set(folders.flatMap((f) => f.days));
  for (const p of compacted) {
    allDays.add(p.day);
    const first = p.sources[0] ? parse(p.sources[0].path) : null;
    if (first) locations.add(first.location);
  }
  // The days of `scope` and the day after it, as the views read them.
  const deliveriesOf = async (scope: ScanScope): Promise<Delivery[]> => {
    const days = new Set(partitionDays(scope.from, scope.to));
    const keys = new Set<string>();
    for (const partition of await scanLake(lake, [table], scope, { known: coveredFingerprints(manifest) })) {
      for (const file of partition.files) keys.add(file.path);
    }
    for (const p of compacted) if (days.has(p.day)) for (const s of p.sources) keys.add(s.path);
    return [...keys].map(parse).filter(known);
  };
  const deliveries = await deliveriesOf(window);
  const extent = dayExtent(allDays);
  let lastDay = extent.lastDay;
  if (lastDay) {
    const listed = lastDay >= window.from && lastDay <= nextDay(window.to);
    lastDay = lastDeliveryDay(source, lastDay, listed ? deliveries : await deliveriesOf({ from: lastDay, to: lastDay }));
  }
  return { source, locations: [...locations], deliveries, firstDay: extent.firstDay, lastDay };
}

async function inventoryListing(lake: LakeLocation, manifest: CompactManifest): Promise<SourceListing> {
  const dts = new Set((await inventoryReportFolders(lake)).map((r) => r.dt));
  for (const p of Object.values(manifest.partitions)) if (p.table === 's3_inventory') dts.add(p.day);
  const { firstDay, lastDay } = dayExtent([...dts].map((dt) => dt.slice(0, 10)));
  return { source: 's3_inventory', locations: ['inventory'], deliveries: [...dts].map(inventoryDelivery), firstDay, lastDay };
}

/** The coverage of `window` by the local lake's logs of `tables` (null when none is a log source). */
export async function localLakeCoverage(lake: LakeLocation, tables: LakeTable[], window: ScanScope): Promise<LogCoverage | null> {
  const wanted = coverageTables(tables);
  if (wanted.length === 0) return null;
  const manifest = await readCompactManifest(lake);
  const listings = await Promise.all(
    wanted.map((table) => (table === 's3_inventory' ? inventoryListing(lake, manifest) : logListing(lake, manifest, table, window))),
  );
  return buildCoverage(window, listings);
}
