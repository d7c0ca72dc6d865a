// Spikes in an hourly series of counts (KMS Decrypt refusals): each hour against a seasonal,
// robust baseline (median and MAD of the same hour on earlier days of the same kind), adjacent
// flagged hours merged, and a spike's edges narrowed to the first and last event of its burst.

/** Days of history a baseline reads: four weeks. */
export const SPIKE_SEASON_DAYS = 28;
/** Earlier hours of the same kind needed before the seasonal baseline is trusted. */
export const SPIKE_MIN_SEASON_SAMPLES = 5;
/** The fallback baseline's window: the previous seven days, every hour. */
export const SPIKE_RECENT_HOURS = 168;
/** Hours at the start of a series that only build history. */
export const SPIKE_WARMUP_HOURS = 24;
/** How many spreads above the baseline a flagged hour must be. */
export const SPIKE_K = 6;
/** The fewest events an hour needs to be flagged, whatever its baseline. */
export const SPIKE_MIN_COUNT = 10;
/** Scales a median absolute deviation to a standard deviation for normally scattered counts. */
export const MAD_TO_SD = 1.4826;
/** Events of one burst are at most this far apart. */
export const BURST_GAP_MINUTES = 10;
/** A cluster of fewer events does not mark a burst's edge. */
export const BURST_MIN_EVENTS = 3;

export type SpikeOptions = {
  /** IANA time zone of the hour-of-day and weekday seasons (default UTC). */
  timeZone?: string;
  k?: number;
  minCount?: number;
  seasonDays?: number;
};

export function describeSpikeMethod(options: SpikeOptions = {}): string {
  const { timeZone = 'UTC', k = SPIKE_K, minCount = SPIKE_MIN_COUNT, seasonDays = SPIKE_SEASON_DAYS } = options;
  const recentDays = SPIKE_RECENT_HOURS / 24;
  return [
    `Each hour's count is compared with what is usual for that hour.`,
    `The baseline is the median count of the same clock hour on the previous ${seasonDays} days of the same kind`,
    `(weekdays with weekdays, Saturdays and Sundays with weekends), in ${timeZone} time.`,
    `The spread is ${MAD_TO_SD} times the median absolute deviation of those hours, and never less than the square root`,
    `of the baseline or of the median of every hour of the previous ${recentDays} days (at least 1): the ordinary scatter of counts.`,
    `An hour is flagged when its count is above the baseline plus ${k} spreads and is at least ${minCount}.`,
    `Medians ignore past bursts, so one incident does not raise the bar for the next.`,
    `While an hour has fewer than ${SPIKE_MIN_SEASON_SAMPLES} earlier hours of its kind, its baseline is the higher of the median`,
    `of every hour of the previous ${recentDays} days and the highest count that hour has shown;`,
    `the first ${SPIKE_WARMUP_HOURS} hours of a series only build history.`,
    `Adjacent flagged hours form one spike; its start and end are then narrowed to the first and last event of the burst`,
    `(events at most ${BURST_GAP_MINUTES} minutes apart, at least ${BURST_MIN_EVENTS} of them).`,
  ].join(' ');
}

/** The method as shown on the page, for the default (UTC) seasons. */
export const SPIKE_METHOD = describeSpikeMethod();

export type HourCount = { hour: string; count: number };

export type HourAssessment = HourCount & {
  /** 'season': same hour, same kind of day; 'recent': too little of that history yet; 'warm-up': not judged. */
  basis: 'season' | 'recent' | 'warm-up';
  baseline: number | null;
  spread: number | null;
  threshold: number | null;
  score: number | null;
  flagged: boolean;
};

export type Spike = {
  /** ISO 8601, UTC; `end` is exclusive. */
  start: string;
  end: string;
  count: number;
  /** Expected count over the span: the sum of the hours' baselines. */
  baseline: number;
  /** The largest (count − baseline) / spread among its hours. */
  score: number;
  hours: { hour: string; count: number; baseline: number }[];
};

export type RefinedSpike = Spike & {
  /** First and last event of the burst; null when no event was given inside the spike. */
  first: string | null;
  last: string | null;
};

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const HOUR_KEY = /^(\d{4})-(\d{2})-(\d{2})T(\d{2})$/;

function hourMs(hour: string): number {
  const m = HOUR_KEY.exec(hour);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4])) : NaN;
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 13) !== hour) throw new RangeError(`not an hour (YYYY-MM-DDTHH): ${hour}`);
  return ms;
}

export function hourKey(ms: number): string {
  return new Date(ms).toISOString().slice(0, 13);
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The zero-filled hourly series of `from`..`to` (UTC days, inclusive) from rows such as the
 * decrypt-denied query's (one per hour, key and principal; hours as 'YYYY-MM-DDTHH…'); rows outside are left out.
 */
export function hourlySeries(rows: { hour: string; count: number }[], from: string, to: string): HourCount[] {
  const start = hourMs(`${from}T00`);
  const end = hourMs(`${to}T00`) + DAY_MS;
  if (end <= start) throw new RangeError(`the series ends (${to}) before it starts (${from})`);
  const counts = new Float64Array((end - start) / HOUR_MS);
  for (const r of rows) {
    const at = hourMs(r.hour.slice(0, 13));
    const i = (at - start) / HOUR_MS;
    if (at >= start && at < end) counts[i] = (counts[i] ?? 0) + r.count;
  }
  return Array.from(counts, (count, i) => ({ hour: hourKey(start + i * HOUR_MS), count }));
}

function median(sorted: number[]): number {
  const n = sorted.length;
  return n % 2 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
}

function robust(values: number[]): { median: number; mad: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = median(sorted);
  return { median: mid, mad: median(sorted.map((v) => Math.abs(v - mid)).sort((a, b) => a - b)) };
}

/** Keeps `sorted` the sorted counts of the recent window: adds one count, drops another. */
function slide(sorted: number[], add: number, drop: number | null) {
  const at = (v: number) => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  if (drop !== null) sorted.splice(at(drop), 1);
  sorted.splice(at(add), 0, add);
}

type Season = { day: number; hour: number; weekend: boolean };

function seasonsOf(times: number[], timeZone: string): Season[] {
  if (timeZone === 'UTC') {
    return times.map((ms) => {
      const d = new Date(ms);
      return { day: Math.floor(ms / DAY_MS), hour: d.getUTCHours(), weekend: d.getUTCDay() % 6 === 0 };
    });
  }
  const format = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', hourCycle: 'h23', weekday: 'short' });
  return times.map((ms) => {
    const p = Object.fromEntries(format.formatToParts(ms).map((x) => [x.type, x.value]));
    const day = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day)) / DAY_MS;
    return { day, hour: Number(p.hour), weekend: p.weekday === 'Sat' || p.weekday === 'Sun' };
  });
}

/** Every hour of a zero-filled, consecutive series with its baseline, threshold and verdict. */
export function assessHours(series: HourCount[], options: SpikeOptions = {}): HourAssessment[] {
  const { timeZone = 'UTC', k = SPIKE_K, minCount = SPIKE_MIN_COUNT, seasonDays = SPIKE_SEASON_DAYS } = options;
  if (!(k > 0) || !(minCount >= 0) || !Number.isInteger(seasonDays) || seasonDays < 1) throw new RangeError('k must be positive, minCount non-negative, seasonDays a whole number of days');
  const times = series.map((h, i) => {
    const ms = hourMs(h.hour);
    if (!(h.count >= 0) || !Number.isFinite(h.count)) throw new RangeError(`count of ${h.hour} must be a non-negative number`);
    if (i > 0 && ms !== hourMs(series[i - 1]!.hour) + HOUR_MS) throw new RangeError(`the series is not consecutive at ${h.hour}: fill missing hours with zeros`);
    return ms;
  });
  const seasons = seasonsOf(times, timeZone);
  const history = new Map<string, { day: number; count: number }[]>();
  const window: number[] = [];
  return series.map((h, i) => {
    if (i > 0) slide(window, series[i - 1]!.count, i > SPIKE_RECENT_HOURS ? series[i - 1 - SPIKE_RECENT_HOURS]!.count : null);
    const s = seasons[i]!;
    const slot = `${s.weekend ? 'weekend' : 'weekday'}-${s.hour}`;
    const past = history.get(slot) ?? [];
    const samples: number[] = [];
    for (let j = past.length - 1; j >= 0 && past[j]!.day >= s.day - seasonDays; j--) if (past[j]!.day < s.day) samples.push(past[j]!.count);
    past.push({ day: s.day, count: h.count });
    history.set(slot, past);

    if (i < SPIKE_WARMUP_HOURS) return { ...h, basis: 'warm-up', baseline: null, spread: null, threshold: null, score: null, flagged: false };
    const recentMedian = median(window);
    const seasonal = samples.length >= SPIKE_MIN_SEASON_SAMPLES;
    const basis: HourAssessment['basis'] = seasonal ? 'season' : 'recent';
    const { mad, ...level } = seasonal ? robust(samples) : robust(window);
    const baseline = seasonal ? level.median : Math.max(recentMedian, ...samples);
    // A median of a few quiet hours can sit far below the true rate: the recent level floors the scatter.
    const spread = Math.max(MAD_TO_SD * mad, Math.sqrt(Math.max(baseline, recentMedian, 1)));
    const threshold = baseline + k * spread;
    const score = (h.count - baseline) / spread;
    return { ...h, basis, baseline, spread, threshold, score, flagged: h.count > threshold && h.count >= minCount };
  });
}

/** Runs of adjacent flagged hours, one spike each. */
export function spikesFrom(hours: HourAssessment[]): Spike[] {
  const spikes: Spike[] = [];
  let run: HourAssessment[] = [];
  const close = () => {
    if (run.length === 0) return;
    spikes.push({
      start: iso(hourMs(run[0]!.hour)),
      end: iso(hourMs(run[run.length - 1]!.hour) + HOUR_MS),
      count: run.reduce((sum, h) => sum + h.count, 0),
      baseline: run.reduce((sum, h) => sum + (h.baseline ?? 0), 0),
      score: Math.max(...run.map((h) => h.score ?? 0)),
      hours: run.map((h) => ({ hour: h.hour, count: h.count, baseline: h.baseline ?? 0 })),
    });
    run = [];
  };
  for (const h of hours) {
    if (h.flagged) run.push(h);
    else close();
  }
  close();
  return spikes;
}

export function detectSpikes(series: HourCount[], options: SpikeOptions = {}): Spike[] {
  return spikesFrom(assessHours(series, options));
}

const EVENT_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})(?::(\d{2})(?:\.\d+)?)?Z?$/;

/** An event's time (CloudTrail's eventTime, or a minute 'YYYY-MM-DDTHH:MM' with `count` events in it). */
export type TimedCount = { time: string; count?: number };

function parseEvent(e: TimedCount): { ms: number; step: number; count: number } {
  const m = EVENT_TIME.exec(e.time);
  const ms = m ? Date.parse(`${m[1]}:${m[2] ?? '00'}Z`) : NaN;
  if (Number.isNaN(ms)) throw new RangeError(`not a UTC time (YYYY-MM-DDTHH:MM[:SS]Z): ${e.time}`);
  const count = e.count ?? 1;
  if (!(count >= 0) || !Number.isFinite(count)) throw new RangeError(`event count must be a non-negative number: ${count}`);
  return { ms, step: m![2] === undefined ? 60_000 : 1000, count };
}

/**
 * The spike narrowed to its burst: clusters of events (each within BURST_GAP_MINUTES of the next,
 * BURST_MIN_EVENTS or more) that overlap the flagged hours, looked for up to an hour either side.
 * `hours` are the assessments the spike came from; they give the baseline of the narrowed span.
 */
export function refineSpike(spike: Spike, events: TimedCount[], hours: HourAssessment[]): RefinedSpike {
  const start = Date.parse(spike.start);
  const end = Date.parse(spike.end);
  const near = events
    .map(parseEvent)
    .filter((e) => e.ms >= start - HOUR_MS && e.ms < end + HOUR_MS && e.count > 0)
    .sort((a, b) => a.ms - b.ms);
  const clusters: (typeof near)[] = [];
  for (const e of near) {
    const last = clusters[clusters.length - 1];
    if (last && e.ms - last[last.length - 1]!.ms <= BURST_GAP_MINUTES * 60_000) last.push(e);
    else clusters.push([e]);
  }
  const burst = clusters
    .filter((c) => c[0]!.ms < end && c[c.length - 1]!.ms >= start && c.reduce((sum, e) => sum + e.count, 0) >= BURST_MIN_EVENTS)
    .flat();
  const inside = burst.length > 0 ? burst : near.filter((e) => e.ms >= start && e.ms < end);
  if (inside.length === 0) return { ...spike, first: null, last: null };
  const first = inside[0]!;
  const last = inside[inside.length - 1]!;
  const to = last.ms + Math.max(...inside.map((e) => e.step));
  const baselineOf = new Map(hours.map((h) => [hourMs(h.hour), h.baseline ?? 0]));
  let baseline = 0;
  for (let h = first.ms - (first.ms % HOUR_MS); h < to; h += HOUR_MS) {
    baseline += ((baselineOf.get(h) ?? 0) * (Math.min(to, h + HOUR_MS) - Math.max(first.ms, h))) / HOUR_MS;
  }
  return {
    ...spike,
    start: iso(first.ms),
    end: iso(to),
    first: iso(first.ms),
    last: iso(last.ms),
    count: near.filter((e) => e.ms >= first.ms && e.ms <= last.ms).reduce((sum, e) => sum + e.count, 0),
    baseline,
  };
}
