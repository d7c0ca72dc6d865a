// The four panels' figures, computed from the rows of recorded runs and control-plane snapshots
// (pure: the same rows give the same figures, on the page, in the summary and in tests).
import type { Cell } from '@/lib/engine/port';
import { daysBetween } from '@/lib/days';
import { AGE_BAND_LABELS, AGE_BANDS } from './age-bands';
import type { PostureWindow } from './figures';
import { parseLifecycleConfiguration, projectLifecycle, type ProjectionObject } from './lifecycle-projection';
import { ARCHIVE_NOTES, isStorageClass, monthlyCost, STORAGE_CLASS_LABELS, STORAGE_CLASS_ORDER, type ArchiveNote, type CostEstimate, type PriceTable } from './prices';
import { assessHours, describeSpikeMethod, hourlySeries, refineSpike, SPIKE_K, SPIKE_MIN_COUNT, SPIKE_SEASON_DAYS, spikesFrom } from './spikes';
import type { TrailRecord } from './port';
import { assessTrails, type TrailsVerdict } from './trail-health';

/** A result as the store holds it: column names and rows of cells. */
export type Rows = { columns: string[]; rows: Cell[][] };

/** Rows as records by column name. */
export function records(result: Rows): Record<string, Cell>[] {
  return result.rows.map((r) => Object.fromEntries(result.columns.map((c, i) => [c, r[i] ?? null])));
}

const num = (v: Cell | undefined): number => (v === null || v === undefined || v === '' ? 0 : Number(v));
const text = (v: Cell | undefined): string => (v === null || v === undefined ? '' : String(v));
const bool = (v: Cell | undefined): boolean => v === true || v === 'true';

export function classLabel(storageClass: string): string {
  return isStorageClass(storageClass) ? STORAGE_CLASS_LABELS[storageClass] : storageClass;
}

function classRank(c: string): number {
  const i = (STORAGE_CLASS_ORDER as readonly string[]).indexOf(c);
  return i < 0 ? STORAGE_CLASS_ORDER.length : i;
}

const byLifecycle = (a: string, b: string) => classRank(a) - classRank(b) || a.localeCompare(b);

// --- storage -------------------------------------------------------------------------------------

export type Amount = { objects: number; bytes: number };

export type StoragePanel = {
  /** The inventory report read (dt), null when there is none on or before the day. */
  report: string | null;
  asOf: string;
  region: string;
  classes: { storageClass: string; label: string; objects: number; bytes: number; usdPerGbMonth: number | null; usd: number | null }[];
  /** Bytes per class, stacked by study-age band (0–1, 1–3, 3–7, 7+ years, unknown). */
  ageBands: { key: string; label: string }[];
  byAgeBand: { storageClass: string; label: string; bands: Record<string, Amount> }[];
  /** Bytes per class, stacked by the catalog's retention class, held objects as their own series. */
  retentionSeries: { key: string; label: string }[];
  byRetention: { storageClass: string; label: string; series: Record<string, Amount> }[];
  totals: Amount & { locked: Amount; lockedShare: number | null; held: Amount; pastRetention: Amount };
  cost: CostEstimate;
  archiveNotes: { storageClass: string; label: string; note: ArchiveNote }[];
};

const HELD = 'held';

export function storagePanel(snapshot: Rows, options: { asOf: string; region: string; prices: PriceTable }): StoragePanel {
  const rows = records(snapshot);
  const classes = new Map<string, Amount>();
  const bands = new Map<string, Map<string, Amount>>();
  const retention = new Map<string, Map<string, Amount>>();
  const add = (into: Map<string, Amount>, key: string, objects: number, bytes: number) => {
    const a = into.get(key) ?? { objects: 0, bytes: 0 };
    a.objects += objects;
    a.bytes += bytes;
    into.set(key, a);
  };
  const inner = (outer: Map<string, Map<string, Amount>>, key: string) => {
    let m = outer.get(key);
    if (!m) outer.set(key, (m = new Map()));
    return m;
  };
  const totals = { objects: 0, bytes: 0, locked: { objects: 0, bytes: 0 }, held: { objects: 0, bytes: 0 }, pastRetention: { objects: 0, bytes: 0 } };
  const retentionClasses = new Set<string>();
  let report: string | null = null;
  for (const r of rows) {
    report = text(r.report) || report;
    const cls = text(r.storage_class);
    const objects = num(r.objects);
    const bytes = num(r.bytes);
    const held = bool(r.on_hold);
    add(classes, cls, objects, bytes);
    add(inner(bands, cls), text(r.age_band), objects, bytes);
    const series = held ? HELD : text(r.retention_class);
    if (!held) retentionClasses.add(series);
    add(inner(retention, cls), series, objects, bytes);
    totals.objects += objects;
    totals.bytes += bytes;
    totals.locked.objects += num(r.locked_objects);
    totals.locked.bytes += num(r.locked_bytes);
    totals.pastRetention.objects += num(r.past_retention_objects);
    totals.pastRetention.bytes += num(r.past_retention_bytes);
    if (held) {
      totals.held.objects += objects;
      totals.held.bytes += bytes;
    }
  }
  const order = [...classes.keys()].sort(byLifecycle);
  const bytesByClass = Object.fromEntries(order.map((c) => [c, classes.get(c)!.bytes]));
  const objectsByClass = Object.fromEntries(order.map((c) => [c, classes.get(c)!.objects]));
  const cost = monthlyCost(bytesByClass, options.region, options.prices, objectsByClass);
  const costOf = new Map(cost.byClass.map((c) => [c.storageClass, c]));
  const knownBands: string[] = [...AGE_BANDS];
  const bandKeys = [...knownBands, ...[...new Set(rows.map((r) => text(r.age_band)))].filter((b) => !knownBands.includes(b)).sort()];
  const seriesKeys = [...[...retentionClasses].sort((a, b) => (a === 'unknown' ? 1 : b === 'unknown' ? -1 : a.localeCompare(b))), ...(totals.held.objects > 0 ? [HELD] : [])];
  return {
    report,
    asOf: options.asOf,
    region: options.region,
    classes: order.map((c) => ({
      storageClass: c,
      label: classLabel(c),
      ...classes.get(c)!,
      usdPerGbMonth: costOf.get(c)?.usdPerGbMonth ?? null,
      usd: costOf.get(c)?.usd ?? null,
    })),
    ageBands: bandKeys.map((b) => ({ key: b, label: b in AGE_BAND_LABELS ? AGE_BAND_LABELS[b as keyof typeof AGE_BAND_LABELS] : 'Not in the catalog' })),
    byAgeBand: order.map((c) => ({ storageClass: c, label: classLabel(c), bands: Object.fromEntries(bands.get(c) ?? []) })),
    retentionSeries: seriesKeys.map((k) => ({ key: k, label: k === HELD ? 'On hold' : k === 'unknown' ? 'Not in the catalog' : k.charAt(0).toUpperCase() + k.slice(1) })),
    byRetention: order.map((c) => ({ storageClass: c, label: classLabel(c), series: Object.fromEntries(retention.get(c) ?? []) })),
    totals: { ...totals, lockedShare: totals.bytes > 0 ? totals.locked.bytes / totals.bytes : null },
    cost,
    archiveNotes: order.filter(isStorageClass).map((c) => ({ storageClass: c, label: classLabel(c), note: ARCHIVE_NOTES[c] })),
  };
}

export type StorageTrend = {
  granularity: 'month' | 'report';
  classes: string[];
  points: { period: string; report: string; bytes: Record<string, number>; objects: number; totalBytes: number; usd: number }[];
};

export function storageTrend(result: Rows, options: { granularity: 'month' | 'report'; region: string; prices: PriceTable }): StorageTrend {
  const points = new Map<string, StorageTrend['points'][number]>();
  const classes = new Set<string>();
  for (const r of records(result)) {
    const period = text(r.period);
    const p = points.get(period) ?? { period, report: text(r.report), bytes: {}, objects: 0, totalBytes: 0, usd: 0 };
    const cls = text(r.storage_class);
    classes.add(cls);
    p.bytes[cls] = (p.bytes[cls] ?? 0) + num(r.bytes);
    p.objects += num(r.objects);
    p.totalBytes += num(r.bytes);
    points.set(period, p);
  }
  const list = [...points.values()].sort((a, b) => a.period.localeCompare(b.period));
  for (const p of list) p.usd = monthlyCost(p.bytes, options.region, options.prices).totalUsd;
  return { granularity: options.granularity, classes: [...classes].sort(byLifecycle), points: list };
}

export type StorageProjection = {
  rules: string[];
  months: { month: string; usd: number; bytes: Record<string, number>; unpriced: string[] }[];
  classes: string[];
  totalUsd: number;
  /** Noncurrent versions left in their class: the inventory does not say when they became noncurrent. */
  undatedNoncurrent: number;
  unavailable: string | null;
};

/** Twelve months of the lifecycle rules applied to the objects of the report (storage-object-ages rows). */
export function storageProjection(ages: Rows, lifecycle: unknown | null, options: { asOf: string; region: string; prices: PriceTable; unavailable?: string | null }): StorageProjection {
  const empty = (why: string): StorageProjection => ({ rules: [], months: [], classes: [], totalUsd: 0, undatedNoncurrent: 0, unavailable: why });
  if (options.unavailable) return empty(options.unavailable);
  let config;
  try {
    config = parseLifecycleConfiguration(lifecycle ?? { Rules: [] });
  } catch (error) {
    return empty(`The lifecycle configuration could not be read: ${(error as Error).message}`);
  }
  const rows = records(ages);
  const report = rows[0] ? text(rows[0].report).slice(0, 10) : options.asOf;
  const objects: ProjectionObject[] = rows.map((r) => ({
    key: text(r.prefix),
    size: num(r.bytes),
    count: num(r.objects),
    storageClass: text(r.storage_class),
    isLatest: bool(r.is_latest),
    ...(bool(r.is_latest) ? { ageDays: num(r.age_days) } : {}),
  }));
  const projection = projectLifecycle(config, objects, { asOf: report, months: 12, region: options.region, prices: options.prices });
  const classes = new Set<string>();
  const months = projection.months.map((m) => {
    for (const c of Object.keys(m.averageBytes)) classes.add(c);
    return { month: m.month, usd: m.cost.totalUsd, bytes: m.averageBytes, unpriced: m.cost.unpriced };
  });
  return {
    rules: lifecycle === null ? ['The bucket has no lifecycle configuration: objects stay in their class.'] : projection.rules,
    months,
    classes: [...classes].sort(byLifecycle),
    totalUsd: months.reduce((s, m) => s + m.usd, 0),
    undatedNoncurrent: projection.undatedNoncurrent,
    unavailable: null,
  };
}

// --- KMS Decrypt denied ---------------------------------------------------------------------------

export type Tally = { value: string; count: number };

export type DecryptSpikeView = {
  /** First and last refusal of the burst (UTC, seconds). */
  start: string;
  end: string;
  count: number;
  /** What the baseline expected over the same span. */
  baseline: number;
  score: number;
  hours: string[];
  keys: Tally[];
  principals: Tally[];
  sourceIps: Tally[];
};

export type DecryptPanel = {
  total: number;
  daily: { day: string; count: number; flagged: boolean }[];
  hourly: { hour: string; count: number; baseline: number | null; threshold: number | null; flagged: boolean }[];
  spikes: DecryptSpikeView[];
  method: string;
  parameters: { k: number; minCount: number; seasonDays: number; timeZone: string; historyFrom: string };
};

function tally(values: { value: string; count: number }[]): Tally[] {
  const m = new Map<string, number>();
  for (const v of values) m.set(v.value, (m.get(v.value) ?? 0) + v.count);
  return [...m].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
}

/**
 * Daily and hourly refusals of the window, each hour judged against its seasonal baseline (built
 * from `historyFrom` on: the run starts before the window so its first days have one).
 */
export function decryptPanel(result: Rows, window: PostureWindow, options: { timeZone: string; historyFrom: string }): DecryptPanel {
  const rows = records(result).map((r) => ({
    minute: text(r.minute),
    key: text(r.key_arn) || '(unknown key)',
    principal: text(r.principal) || '(unknown principal)',
    ip: text(r.source_ip) || '(unknown)',
    denied: num(r.denied),
    first: text(r.first_denied),
    last: text(r.last_denied),
  }));
  const from = options.historyFrom <= window.from ? options.historyFrom : window.from;
  const series = hourlySeries(rows.map((r) => ({ hour: r.minute.slice(0, 13), count: r.denied })), from, window.to);
  const assessed = assessHours(series, { timeZone: options.timeZone });
  const inWindow = assessed.filter((h) => h.hour >= `${window.from}T00`);
  const windowStart = `${window.from}T00:00:00Z`;
  const spikes = spikesFrom(assessed)
    .filter((s) => s.end > windowStart)
    .map((spike): DecryptSpikeView => {
      const refined = refineSpike(spike, rows.map((r) => ({ time: r.minute.slice(0, 16), count: r.denied })), assessed);
      const inside = rows.filter((r) => r.minute >= refined.start && r.minute < refined.end);
      const firsts = inside.map((r) => r.first).filter(Boolean).sort();
      const lasts = inside.map((r) => r.last).filter(Boolean).sort();
      return {
        start: firsts[0] ?? refined.start,
        end: lasts.at(-1) ?? refined.end,
        count: inside.reduce((s, r) => s + r.denied, 0),
        baseline: refined.baseline,
        score: refined.score,
        hours: spike.hours.map((h) => h.hour),
        keys: tally(inside.map((r) => ({ value: r.key, count: r.denied }))),
        principals: tally(inside.map((r) => ({ value: r.principal, count: r.denied }))),
        sourceIps: tally(inside.map((r) => ({ value: r.ip, count: r.denied }))),
      };
    });
  const flaggedDays = new Set(inWindow.filter((h) => h.flagged).map((h) => h.hour.slice(0, 10)));
  const perDay = new Map(daysBetween(window.from, window.to).map((d) => [d, 0]));
  for (const h of inWindow) perDay.set(h.hour.slice(0, 10), (perDay.get(h.hour.slice(0, 10)) ?? 0) + h.count);
  return {
    total: inWindow.reduce((s, h) => s + h.count, 0),
    daily: [...perDay].map(([day, count]) => ({ day, count, flagged: flaggedDays.has(day) })),
    hourly: inWindow.map((h) => ({ hour: h.hour, count: h.count, baseline: h.baseline, threshold: h.threshold, flagged: h.flagged })),
    spikes,
    method: describeSpikeMethod({ timeZone: options.timeZone }),
    parameters: { k: SPIKE_K, minCount: SPIKE_MIN_COUNT, seasonDays: SPIKE_SEASON_DAYS, timeZone: options.timeZone, historyFrom: from },
  };
}

// --- access overview ------------------------------------------------------------------------------

export type AccessPanel = {
  totals: { requests: number; healthimaging: number; s3: number; afterHours: number; afterHoursShare: number | null; refused: number };
  daily: { day: string; healthimaging: number; s3: number; afterHours: number; refused: number }[];
  byAction: { source: string; action: string; requests: number; afterHours: number; refused: number }[];
  topPrincipals: { principal: string; person: string | null; requests: number; healthimaging: number; s3: number; studies: number; afterHours: number; refused: number }[];
  principals: number;
};

export const TOP_PRINCIPALS = 10;

export function accessPanel(daily: Rows | null, principals: Rows | null, window: PostureWindow): AccessPanel {
  const perDay = new Map(daysBetween(window.from, window.to).map((d) => [d, { day: d, healthimaging: 0, s3: 0, afterHours: 0, refused: 0 }]));
  const actions = new Map<string, AccessPanel['byAction'][number]>();
  const totals = { requests: 0, healthimaging: 0, s3: 0, afterHours: 0, afterHoursShare: null as number | null, refused: 0 };
  for (const r of daily ? records(daily) : []) {
    const source = text(r.source);
    const d = perDay.get(text(r.day));
    const requests = num(r.requests);
    if (d) {
      if (source === 's3') d.s3 += requests;
      else d.healthimaging += requests;
      d.afterHours += num(r.after_hours_requests);
      d.refused += num(r.refused);
    }
    const k = `${source}\t${text(r.action)}`;
    const a = actions.get(k) ?? { source, action: text(r.action), requests: 0, afterHours: 0, refused: 0 };
    a.requests += requests;
    a.afterHours += num(r.after_hours_requests);
    a.refused += num(r.refused);
    actions.set(k, a);
    totals.requests += requests;
    if (source === 's3') totals.s3 += requests;
    else totals.healthimaging += requests;
    totals.afterHours += num(r.after_hours_requests);
    totals.refused += num(r.refused);
  }
  totals.afterHoursShare = totals.requests > 0 ? totals.afterHours / totals.requests : null;
  const people = principals ? records(principals) : [];
  return {
    totals,
    daily: [...perDay.values()],
    byAction: [...actions.values()].sort((a, b) => b.requests - a.requests || a.action.localeCompare(b.action)),
    topPrincipals: people.slice(0, TOP_PRINCIPALS).map((r) => ({
      principal: text(r.principal),
      person: text(r.person) || null,
      requests: num(r.requests),
      healthimaging: num(r.healthimaging_requests),
      s3: num(r.s3_requests),
      studies: num(r.studies),
      afterHours: num(r.after_hours_requests),
      refused: num(r.refused),
    })),
    principals: people.length,
  };
}

export type BulkPanel = {
  flaggedHours: number;
  principals: { principal: string; person: string | null; hours: number; maxStudies: number; requests: number; first: string; last: string }[];
};

export function bulkPanel(result: Rows): BulkPanel {
  const by = new Map<string, BulkPanel['principals'][number]>();
  const rows = records(result);
  for (const r of rows) {
    const principal = text(r.principal);
    const p = by.get(principal) ?? { principal, person: text(r.federated_user) || null, hours: 0, maxStudies: 0, requests: 0, first: text(r.first_access), last: text(r.last_access) };
    p.hours += 1;
    p.maxStudies = Math.max(p.maxStudies, num(r.distinct_studies));
    p.requests += num(r.accesses);
    if (text(r.first_access) < p.first) p.first = text(r.first_access);
    if (text(r.last_access) > p.last) p.last = text(r.last_access);
    by.set(principal, p);
  }
  return { flaggedHours: rows.length, principals: [...by.values()].sort((a, b) => b.maxStudies - a.maxStudies || a.principal.localeCompare(b.principal)) };
}

export type FailedPanel = {
  total: number;
  bySource: Record<string, number>;
  topPrincipals: { principal: string; source: string; refused: number; actions: string }[];
  principals: number;
};

export function failedPanel(result: Rows): FailedPanel {
  const rows = records(result);
  const bySource: Record<string, number> = { healthimaging: 0, s3: 0, kms: 0 };
  for (const r of rows) bySource[text(r.source)] = (bySource[text(r.source)] ?? 0) + num(r.denied);
  return {
    total: Object.values(bySource).reduce((a, b) => a + b, 0),
    bySource,
    topPrincipals: rows.slice(0, TOP_PRINCIPALS).map((r) => ({ principal: text(r.principal), source: text(r.source), refused: num(r.denied), actions: text(r.actions) })),
    principals: new Set(rows.map((r) => text(r.principal))).size,
  };
}

// --- trail health ---------------------------------------------------------------------------------

export type TrailPanel = {
  verdict: TrailsVerdict | null;
  unavailable: string | null;
  gaps: { region: string; start: string; end: string; hours: number }[];
  gapHours: number;
};

export function trailPanel(snapshot: { body: unknown; unavailable: string | null } | null, coverage: Rows | null, archiveBucket: string): TrailPanel {
  const gaps = coverage ? records(coverage).map((r) => ({ region: text(r.region), start: text(r.gap_start), end: text(r.gap_end), hours: num(r.hours) })) : [];
  const body = snapshot?.body as TrailRecord[] | null | undefined;
  return {
    verdict: Array.isArray(body) ? assessTrails(body, archiveBucket) : null,
    unavailable: snapshot ? (Array.isArray(body) ? null : (snapshot.unavailable ?? 'No answer was recorded.')) : null,
    gaps,
    gapHours: gaps.reduce((s, g) => s + g.hours, 0),
  };
}
