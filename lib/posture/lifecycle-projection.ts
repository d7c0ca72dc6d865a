// A bucket's lifecycle configuration (GetBucketLifecycleConfiguration's response) applied to
// today's objects, month by month: bytes by storage class and the storage charge. Only the objects
// of today are projected; what the archive ingests from now on is not.
import { z } from 'zod';
import { isCalendarDate } from '@/lib/days';
import { parseInput } from '@/lib/errors';
import { monthlyCost, PRICE_TABLE, STORAGE_CLASS_ORDER, type CostEstimate, type PriceTable, type StorageClass } from './prices';

const DAY_MS = 86_400_000;
/** S3's default minimum object size for transitions (TransitionDefaultMinimumObjectSize). */
export const TRANSITION_MINIMUM_BYTES = 128 * 1024;

const when = z.union([z.string(), z.date()]).transform((v, ctx) => {
  const ms = v instanceof Date ? v.getTime() : Date.parse(v);
  if (Number.isNaN(ms)) {
    ctx.addIssue({ code: 'custom', message: 'must be an ISO 8601 date' });
    return z.NEVER;
  }
  return Math.floor(ms / DAY_MS);
});
const days = z.number().int().nonnegative();
const size = z.number().int().nonnegative();
const tag = z.object({ Key: z.string(), Value: z.string() });
const targetClass = z.enum(STORAGE_CLASS_ORDER.filter((c) => c !== 'STANDARD') as [StorageClass, ...StorageClass[]]);

const ruleSchema = z.object({
  ID: z.string().optional(),
  Status: z.enum(['Enabled', 'Disabled']),
  /** Deprecated top-level prefix, still returned for rules written before filters existed. */
  Prefix: z.string().optional(),
  Filter: z
    .object({
      Prefix: z.string().optional(),
      Tag: tag.optional(),
      ObjectSizeGreaterThan: size.optional(),
      ObjectSizeLessThan: size.optional(),
      And: z
        .object({ Prefix: z.string().optional(), Tags: z.array(tag).optional(), ObjectSizeGreaterThan: size.optional(), ObjectSizeLessThan: size.optional() })
        .optional(),
    })
    .optional(),
  Transitions: z
    .array(
      z
        .object({ Days: days.optional(), Date: when.optional(), StorageClass: targetClass })
        .refine((t) => (t.Days === undefined) !== (t.Date === undefined), 'a transition needs either Days or Date'),
    )
    .optional(),
  NoncurrentVersionTransitions: z
    .array(z.object({ NoncurrentDays: days, StorageClass: targetClass, NewerNoncurrentVersions: z.number().int().optional() }))
    .optional(),
  Expiration: z.object({ Days: days.optional(), Date: when.optional(), ExpiredObjectDeleteMarker: z.boolean().optional() }).optional(),
  NoncurrentVersionExpiration: z.object({ NoncurrentDays: days.optional(), NewerNoncurrentVersions: z.number().int().optional() }).optional(),
});

export const lifecycleConfigurationSchema = z.object({
  Rules: z.array(ruleSchema),
  TransitionDefaultMinimumObjectSize: z.enum(['all_storage_classes_128K', 'varies_by_storage_class']).optional(),
});
/** Parsed: every `Date` is a UTC day number (days since 1970-01-01). */
export type LifecycleConfiguration = z.output<typeof lifecycleConfigurationSchema>;
export type LifecycleRule = LifecycleConfiguration['Rules'][number];

/** Validates a GetBucketLifecycleConfiguration response (SDK object or the CLI's JSON). */
export function parseLifecycleConfiguration(raw: unknown): LifecycleConfiguration {
  return parseInput(lifecycleConfigurationSchema, raw, { Rules: 'Lifecycle rules' });
}

const dayText = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** One line per enabled rule, for the page: "archive-tiering: STANDARD_IA after 30 days, …". */
export function describeLifecycle(config: LifecycleConfiguration): string[] {
  return config.Rules.flatMap((r, i) => {
    if (r.Status !== 'Enabled') return [];
    const parts = [
      ...(r.Transitions ?? []).map((t) => `${t.StorageClass} ${t.Days !== undefined ? `after ${t.Days} days` : `from ${dayText(t.Date ?? 0)}`}`),
      ...(r.NoncurrentVersionTransitions ?? []).map((t) => `noncurrent versions to ${t.StorageClass} after ${t.NoncurrentDays} days`),
      ...(r.Expiration?.Days !== undefined ? [`expire after ${r.Expiration.Days} days`] : []),
      ...(r.Expiration?.Date !== undefined ? [`expire on ${dayText(r.Expiration.Date)}`] : []),
      ...(r.NoncurrentVersionExpiration?.NoncurrentDays !== undefined ? [`delete noncurrent versions after ${r.NoncurrentVersionExpiration.NoncurrentDays} days`] : []),
    ];
    return [`${r.ID ?? `rule ${i + 1}`}: ${parts.length ? parts.join(', ') : 'no transition or expiration'}`];
  });
}

export type ProjectionObject = {
  key?: string;
  /** Bytes; when `count` objects share this row, their total (size filters then use the average). */
  size: number;
  count?: number;
  storageClass: string;
  /** One of the two: when it was written (ISO 8601 with a zone), or its age in whole days on `asOf`. */
  lastModified?: string;
  ageDays?: number;
  /** False for a noncurrent version; its noncurrent rules need `noncurrentSince`. */
  isLatest?: boolean;
  noncurrentSince?: string;
  tags?: Record<string, string>;
};

export type ProjectionOptions = {
  asOf: string;
  months?: number;
  region?: string;
  prices?: PriceTable;
  /** Versioned buckets keep an expired current version as a noncurrent one (default true: the archive is versioned). */
  versioned?: boolean;
};

export type ProjectedMonth = {
  month: string;
  days: number;
  /** Average bytes stored per class over the month: what GB-month billing charges. */
  averageBytes: Record<string, number>;
  /** Bytes per class on the month's last day. */
  endBytes: Record<string, number>;
  cost: CostEstimate;
};

export type LifecycleProjection = {
  asOf: string;
  region: string;
  rules: string[];
  months: ProjectedMonth[];
  /** Noncurrent versions without `noncurrentSince`, held in their class. */
  undatedNoncurrent: number;
};

function rank(c: string): number {
  return (STORAGE_CLASS_ORDER as readonly string[]).indexOf(c);
}

/** S3 rounds creation + N days up to the next UTC midnight. */
function eligibleDay(sinceMs: number, n: number): number {
  return Math.floor((sinceMs + n * DAY_MS) / DAY_MS) + 1;
}

function matches(rule: LifecycleRule, o: ProjectionObject, avgSize: number): boolean {
  const f = rule.Filter;
  const prefix = f ? (f.And?.Prefix ?? f.Prefix) : rule.Prefix;
  if (prefix && !(o.key ?? '').startsWith(prefix)) return false;
  const tags = [...(f?.Tag ? [f.Tag] : []), ...(f?.And?.Tags ?? [])];
  if (tags.some((t) => o.tags?.[t.Key] !== t.Value)) return false;
  const above = f?.And?.ObjectSizeGreaterThan ?? f?.ObjectSizeGreaterThan;
  const below = f?.And?.ObjectSizeLessThan ?? f?.ObjectSizeLessThan;
  return (above === undefined || avgSize > above) && (below === undefined || avgSize < below);
}

function hasSizeFilter(rule: LifecycleRule): boolean {
  const f = rule.Filter;
  return [f?.ObjectSizeGreaterThan, f?.ObjectSizeLessThan, f?.And?.ObjectSizeGreaterThan, f?.And?.ObjectSizeLessThan].some((v) => v !== undefined);
}

type Change = { day: number; to: string | null };

/** When the object changes class (`to`) or is deleted (`to: null`), in day order. */
function changes(config: LifecycleConfiguration, o: ProjectionObject, asOfDay: number, versioned: boolean): Change[] | 'undated' {
  const avgSize = o.size / (o.count ?? 1);
  const rules = config.Rules.filter((r) => r.Status === 'Enabled' && matches(r, o, avgSize));
  const small = avgSize < TRANSITION_MINIMUM_BYTES;
  const minimumRule = config.TransitionDefaultMinimumObjectSize ?? 'all_storage_classes_128K';
  const allowed = (r: LifecycleRule, to: string) =>
    !small || hasSizeFilter(r) || (minimumRule === 'varies_by_storage_class' && (to === 'GLACIER' || to === 'DEEP_ARCHIVE'));
  const out: Change[] = [];
  let noncurrentFromMs: number | null = null;
  if (o.isLatest === false) {
    if (o.noncurrentSince === undefined) return 'undated';
    noncurrentFromMs = Date.parse(o.noncurrentSince);
    if (Number.isNaN(noncurrentFromMs)) throw new RangeError(`noncurrentSince is not an ISO 8601 time: ${o.noncurrentSince}`);
  } else {
    const writtenMs = o.lastModified !== undefined ? Date.parse(o.lastModified) : (asOfDay - (o.ageDays ?? 0)) * DAY_MS;
    if (Number.isNaN(writtenMs)) throw new RangeError(`lastModified is not an ISO 8601 time: ${o.lastModified}`);
    const writtenDay = Math.floor(writtenMs / DAY_MS);
    let expires = Infinity;
    for (const r of rules) {
      const e = r.Expiration;
      if (e?.Days !== undefined) expires = Math.min(expires, eligibleDay(writtenMs, e.Days));
      if (e?.Date !== undefined) expires = Math.min(expires, Math.max(e.Date, writtenDay + 1));
    }
    for (const r of rules) {
      for (const t of r.Transitions ?? []) {
        const day = t.Days !== undefined ? eligibleDay(writtenMs, t.Days) : Math.max(t.Date ?? 0, writtenDay + 1);
        if (day < expires && allowed(r, t.StorageClass)) out.push({ day, to: t.StorageClass });
      }
    }
    if (expires !== Infinity) {
      if (!versioned) return [...out, { day: expires, to: null }].sort((a, b) => a.day - b.day);
      noncurrentFromMs = expires * DAY_MS;
    }
  }
  if (noncurrentFromMs !== null) {
    for (const r of rules) {
      for (const t of r.NoncurrentVersionTransitions ?? []) {
        if (allowed(r, t.StorageClass)) out.push({ day: eligibleDay(noncurrentFromMs, t.NoncurrentDays), to: t.StorageClass });
      }
      const n = r.NoncurrentVersionExpiration?.NoncurrentDays;
      if (n !== undefined) out.push({ day: eligibleDay(noncurrentFromMs, n), to: null });
    }
  }
  return out.sort((a, b) => a.day - b.day);
}

/** The class on each day as segments: `from` (day number) until the next segment; null once deleted. */
function segments(start: string, list: Change[]): { from: number; cls: string | null }[] {
  const out: { from: number; cls: string | null }[] = [{ from: -Infinity, cls: start }];
  let cls: string = start;
  for (const c of list) {
    // Lifecycle only moves an object down the order; a class outside it is never transitioned.
    const next: string | null = c.to === null ? null : rank(cls) >= 0 && rank(c.to) > rank(cls) ? c.to : cls;
    if (next === null) {
      if (out[out.length - 1]!.from === c.day) out[out.length - 1]!.cls = null;
      else out.push({ from: c.day, cls: null });
      break;
    }
    if (next !== cls) {
      cls = next;
      if (out[out.length - 1]!.from === c.day) out[out.length - 1]!.cls = cls;
      else out.push({ from: c.day, cls });
    }
  }
  return out;
}

function add(into: Record<string, number>, key: string, value: number) {
  into[key] = (into[key] ?? 0) + value;
}

/** Month by month for the `months` calendar months after `asOf`'s month: bytes by class and their cost. */
export function projectLifecycle(config: LifecycleConfiguration, objects: ProjectionObject[], options: ProjectionOptions): LifecycleProjection {
  const { asOf, months = 12, region = 'us-east-1', prices = PRICE_TABLE, versioned = true } = options;
  if (!isCalendarDate(asOf)) throw new RangeError(`asOf is not a calendar date (YYYY-MM-DD): ${asOf}`);
  if (!Number.isInteger(months) || months < 1 || months > 120) throw new RangeError(`months must be a whole number from 1 to 120: ${months}`);
  const asOfDay = Date.parse(`${asOf}T00:00:00Z`) / DAY_MS;
  const y = Number(asOf.slice(0, 4));
  const m = Number(asOf.slice(5, 7)) - 1;
  const bounds = Array.from({ length: months + 1 }, (_, i) => Date.UTC(y, m + 1 + i, 1) / DAY_MS);
  const byteDays = bounds.slice(1).map(() => ({} as Record<string, number>));
  const objectDays = bounds.slice(1).map(() => ({} as Record<string, number>));
  const endBytes = bounds.slice(1).map(() => ({} as Record<string, number>));
  let undatedNoncurrent = 0;

  for (const o of objects) {
    if (!(o.size >= 0) || !Number.isFinite(o.size)) throw new RangeError(`object size must be a non-negative number: ${o.size}`);
    if ((o.lastModified === undefined) === (o.ageDays === undefined) && o.isLatest !== false) {
      throw new RangeError('each current object needs exactly one of lastModified and ageDays');
    }
    const count = o.count ?? 1;
    const list = changes(config, o, asOfDay, versioned);
    if (list === 'undated') undatedNoncurrent += count;
    const segs = segments(o.storageClass, list === 'undated' ? [] : list);
    for (let i = 0; i < months; i++) {
      const from = bounds[i]!;
      const to = bounds[i + 1]!;
      for (let s = 0; s < segs.length; s++) {
        const seg = segs[s]!;
        const lo = Math.max(from, seg.from);
        const hi = Math.min(to, segs[s + 1]?.from ?? Infinity);
        if (seg.cls === null || hi <= lo) continue;
        add(byteDays[i]!, seg.cls, o.size * (hi - lo));
        add(objectDays[i]!, seg.cls, count * (hi - lo));
        if (hi === to) add(endBytes[i]!, seg.cls, o.size);
      }
    }
  }

  const average = (totals: Record<string, number>, n: number) => Object.fromEntries(Object.entries(totals).map(([c, v]) => [c, v / n]));
  return {
    asOf,
    region,
    rules: describeLifecycle(config),
    undatedNoncurrent,
    months: byteDays.map((totals, i) => {
      const n = bounds[i + 1]! - bounds[i]!;
      const averageBytes = average(totals, n);
      return {
        month: dayText(bounds[i]!).slice(0, 7),
        days: n,
        averageBytes,
        endBytes: endBytes[i]!,
        cost: monthlyCost(averageBytes, region, prices, average(objectDays[i]!, n)),
      };
    }),
  };
}
