// Log coverage of a window, from object keys alone: which hours and days of the window some log
// file was delivered for, per source, whichever engine listed the keys (local lake or S3). The
// adapters list; this module parses keys as AWS names them and does the arithmetic.
//
// Rules (README, "Log coverage"):
// - A key's time is the delivery time (CloudTrail: the file's end; S3 access logs: SimplePrefix
//   and PartitionedPrefix with DeliveryTime). An hour is covered for a location when a file was
//   delivered in it: CloudTrail delivers about every 5 minutes while there is activity, so an
//   hour of working logging gets a file within it, and an hour without one had no logging or no
//   activity — either way nothing in the logs covers it. A late file counts for the hour it
//   arrived in, except that a day whose files (for a location) all arrived in its first half hour
//   holds only the previous day's late events after logging ended: they cover nothing of it.
// - Access logs partitioned by EventTime (key time 00-00-00) and inventory reports date their
//   objects to a day only: a file covers its whole day.
// - A location is one stream of logs (a CloudTrail Region across its accounts, an access-log
//   source bucket, the inventory): an hour is a gap when any known location has no file for it,
//   so a Region that stopped logging shows even while another kept going.
import { daysBetween, isCalendarDate } from '@/lib/days';
import type { CoverageGap, CoverageSource, LogCoverage, SourceCoverage } from '@/lib/engine/port';
import { parseAccessLogKey, parseCloudTrailLogKey, parseSimpleAccessLogKey } from './layout';
import type { LakeLayout, LakeTable, ScanScope } from './tables';

export type CoverageTable = 'cloudtrail_logs' | 's3_access_logs' | 's3_inventory';

export const COVERAGE_SOURCE: Record<CoverageTable, CoverageSource> = {
  cloudtrail_logs: 'cloudtrail',
  s3_access_logs: 's3_access_logs',
  s3_inventory: 's3_inventory',
};

const isCoverageTable = (t: LakeTable): t is CoverageTable => t in COVERAGE_SOURCE;

/** The tables among `tables` whose logs have a coverage (the study catalog has none). */
export function coverageTables(tables: readonly LakeTable[]): CoverageTable[] {
  return [...new Set(tables)].filter(isCoverageTable);
}

/** One delivered object, as its key tells: the log location it belongs to and when it arrived. */
export type Delivery = {
  location: string;
  /** The key's time, epoch ms (UTC). */
  at: number;
  /** 'day': the key dates the object to a day only (EventTime partitions, inventory reports). */
  precision: 'minute' | 'day';
};

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** A CloudTrail day whose files (for a location) all arrived this early holds only late files. */
const LATE_MINUTES = 30;

/** `YYYY-MM-DDTHH:mm:ssZ` of an instant. */
export const isoSecond = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

const dayStart = (day: string) => Date.parse(`${day}T00:00:00Z`);

/** A CloudTrail log file: its Region and delivery minute (…_YYYYMMDDTHHmmZ_…). */
export function cloudTrailDelivery(key: string): Delivery | null {
  const parsed = parseCloudTrailLogKey(key);
  if (!parsed) return null;
  const t = parsed.deliveredAt;
  const at = Date.UTC(+t.slice(0, 4), +t.slice(4, 6) - 1, +t.slice(6, 8), +t.slice(9, 11), +t.slice(11, 13));
  return { location: parsed.region, at, precision: 'minute' };
}

function accessLogTime(time: string): number {
  const [y, mo, d, h, mi, s] = time.split('-').map(Number) as [number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s);
}

/**
 * An S3 server access log object, key relative to the bucket (or lake) root: PartitionedPrefix
 * (location account/region/source bucket; a 00-00-00 time is an EventTime partition's day) or
 * SimplePrefix (one location: the key names no source bucket).
 */
export function accessLogDelivery(layout: LakeLayout, key: string): Delivery | null {
  if (!key.startsWith(layout.accessLogPrefix)) return null;
  const rest = key.slice(layout.accessLogPrefix.length);
  const partitioned = parseAccessLogKey(rest);
  if (partitioned) {
    return {
      location: `${partitioned.account}/${partitioned.region}/${partitioned.bucket}`,
      at: accessLogTime(partitioned.time),
      precision: partitioned.time.endsWith('-00-00-00') ? 'day' : 'minute',
    };
  }
  const simple = parseSimpleAccessLogKey(rest);
  return simple ? { location: layout.accessLogPrefix, at: accessLogTime(simple.time), precision: 'minute' } : null;
}

/** An S3 Inventory report (its hive/dt=YYYY-MM-DD-HH-MM folder): it covers its day. */
export function inventoryDelivery(dt: string): Delivery {
  return { location: 'inventory', at: dayStart(dt.slice(0, 10)), precision: 'day' };
}

/** What an adapter listed for one source. */
export type SourceListing = {
  source: CoverageSource;
  /** Every location known to deliver this source, including those with nothing in the window. */
  locations: string[];
  /** Objects delivered in the window (others are ignored), in any order. */
  deliveries: Delivery[];
  firstDay: string | null;
  lastDay: string | null;
};

/**
 * CloudTrail deliveries that are only the previous day's late events: all of a location's files of
 * a day arrived in that day's first half hour.
 */
function lateDeliveries(source: CoverageSource, deliveries: Delivery[]): Set<Delivery> {
  const late = new Set<Delivery>();
  if (source !== 'cloudtrail') return late;
  const byLocationDay = new Map<string, Delivery[]>();
  for (const d of deliveries) {
    const key = `${d.location}\t${Math.floor(d.at / DAY)}`;
    byLocationDay.set(key, [...(byLocationDay.get(key) ?? []), d]);
  }
  for (const group of byLocationDay.values()) {
    if (group.every((d) => d.precision === 'minute' && d.at % DAY < LATE_MINUTES * 60_000)) for (const d of group) late.add(d);
  }
  return late;
}

/** Per location, per hour of the window: was a file delivered for it. */
function coveredHours(window: ScanScope, listing: SourceListing, hours: number): Map<string, Uint8Array> {
  const start = dayStart(window.from);
  const out = new Map<string, Uint8Array>();
  const hoursOf = (location: string) => {
    let covered = out.get(location);
    if (!covered) out.set(location, (covered = new Uint8Array(hours)));
    return covered;
  };
  for (const location of listing.locations) hoursOf(location);
  const late = lateDeliveries(listing.source, listing.deliveries);
  for (const d of listing.deliveries) {
    const covered = hoursOf(d.location);
    if (late.has(d)) continue;
    const first = d.precision === 'day' ? Math.floor((d.at - start) / DAY) * 24 : Math.floor((d.at - start) / HOUR);
    const end = d.precision === 'day' ? first + 24 : first + 1;
    for (let h = Math.max(0, first); h < Math.min(hours, end); h++) covered[h] = 1;
  }
  return out;
}

export function sourceCoverage(window: ScanScope, listing: SourceListing): SourceCoverage {
  const days = daysBetween(window.from, window.to);
  const hours = days.length * 24;
  const perLocation = [...coveredHours(window, listing, hours).values()];
  // No location at all (nothing ever delivered): the window is one gap.
  if (perLocation.length === 0) perLocation.push(new Uint8Array(hours));
  const start = dayStart(window.from);
  const gaps: CoverageGap[] = [];
  let gapFrom = -1;
  for (let h = 0; h <= hours; h++) {
    const gap = h < hours && perLocation.some((c) => !c[h]);
    if (gap && gapFrom < 0) gapFrom = h;
    if (!gap && gapFrom >= 0) {
      gaps.push({ from: isoSecond(start + gapFrom * HOUR), to: isoSecond(start + h * HOUR) });
      gapFrom = -1;
    }
  }
  let daysWithLogs = 0;
  for (let d = 0; d < days.length; d++) {
    if (perLocation.some((c) => c.subarray(d * 24, d * 24 + 24).some(Boolean))) daysWithLogs++;
  }
  return { daysWithLogs, daysWithout: days.length - daysWithLogs, gaps, firstDay: listing.firstDay, lastDay: listing.lastDay };
}

export function buildCoverage(window: ScanScope, listings: SourceListing[]): LogCoverage {
  if (!isCalendarDate(window.from) || !isCalendarDate(window.to) || window.from > window.to) {
    throw new Error(`invalid coverage window ${JSON.stringify(window)}: days must be YYYY-MM-DD, from on or before to`);
  }
  const sources: LogCoverage['sources'] = {};
  for (const listing of listings) sources[listing.source] = sourceCoverage(window, listing);
  return { from: window.from, to: window.to, sources };
}

/**
 * The newest day of a source, given the deliveries of its newest day folder: a CloudTrail day
 * that holds only the previous day's late files is not a day of logs (the rule of latest-day.ts).
 */
export function lastDeliveryDay(source: CoverageSource, day: string, deliveries: Delivery[]): string {
  const start = dayStart(day);
  const ofDay = deliveries.filter((d) => d.at >= start && d.at < start + DAY);
  const late = lateDeliveries(source, ofDay);
  return ofDay.length > 0 && ofDay.every((d) => late.has(d)) ? new Date(start - DAY).toISOString().slice(0, 10) : day;
}

/** 'YYYY/MM/DD' folder names → first and last 'YYYY-MM-DD'. */
export function dayExtent(days: Iterable<string>): { firstDay: string | null; lastDay: string | null } {
  let firstDay: string | null = null;
  let lastDay: string | null = null;
  for (const folder of days) {
    const day = folder.replaceAll('/', '-');
    if (firstDay === null || day < firstDay) firstDay = day;
    if (lastDay === null || day > lastDay) lastDay = day;
  }
  return { firstDay, lastDay };
}
