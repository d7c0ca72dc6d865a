// Time arithmetic for the generator: epoch milliseconds everywhere, UTC formatting as AWS writes
// it, and the local clock of the health system for business hours.

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

export function dayStart(date: string): number {
  const ms = Date.parse(`${date}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(ms)) throw new Error(`not a date: ${date}`);
  return ms;
}

/** 'YYYY-MM-DD' of an instant (UTC). */
export function dateOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

const dayPrefixes = new Map<number, string>();

/** CloudTrail eventTime: 'YYYY-MM-DDTHH:MM:SSZ' (formatted by hand: it runs for every record). */
export function isoSecond(ms: number): string {
  const day = Math.floor(ms / DAY);
  let prefix = dayPrefixes.get(day);
  if (prefix === undefined) {
    if (dayPrefixes.size > 4096) dayPrefixes.clear();
    prefix = `${new Date(day * DAY).toISOString().slice(0, 10)}T`;
    dayPrefixes.set(day, prefix);
  }
  const s = Math.floor((ms - day * DAY) / SECOND);
  const h = Math.floor(s / 3600);
  const m = Math.floor(s / 60) % 60;
  const sec = s % 60;
  return `${prefix}${h < 10 ? '0' : ''}${h}:${m < 10 ? '0' : ''}${m}:${sec < 10 ? '0' : ''}${sec}Z`;
}

/** 'YYYY-MM-DDTHH:00:00Z' of the clock hour holding the instant. */
export function isoHour(ms: number): string {
  return new Date(ms - (ms % HOUR)).toISOString().slice(0, 13) + ':00:00Z';
}

/** S3 Inventory timestamps: 'YYYY-MM-DDTHH:MM:SS.mmmZ'. */
export function isoMillis(ms: number): string {
  return new Date(ms).toISOString();
}

/** S3 server access log time field, brackets included: '[06/Feb/2019:00:00:38 +0000]'. */
export function accessLogTime(ms: number): string {
  const d = new Date(ms);
  return `[${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000]`;
}

/** "Oct 2, 2026, 7:00:00 PM" — how STS renders credential expirations in CloudTrail. */
export function stsExpiration(ms: number): string {
  const d = new Date(ms);
  const h = d.getUTCHours();
  const h12 = h % 12 === 0 ? 12 : h % 12;
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}, ${h12}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${h < 12 ? 'AM' : 'PM'}`;
}

/** Adds whole calendar years to a 'YYYY-MM-DD' date (Feb 29 → Feb 28 in common years). */
export function addYears(date: string, years: number): string {
  const y = Number(date.slice(0, 4)) + years;
  let md = date.slice(5);
  if (md === '02-29' && !(y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0))) md = '02-28';
  return `${String(y).padStart(4, '0')}-${md}`;
}

export function addDays(date: string, days: number): string {
  return dateOf(dayStart(date) + days * DAY);
}

/** Whole days from `from` to `to` (dates). */
export function daysFrom(from: string, to: string): number {
  return Math.round((dayStart(to) - dayStart(from)) / DAY);
}

/**
 * Wall-clock hour of an IANA time zone, cached per UTC hour (zone offsets only change on whole
 * UTC hours for the zones we model).
 */
export class LocalClock {
  private readonly cache = new Map<number, { hour: number; weekday: number; offsetMs: number }>();
  private readonly format: Intl.DateTimeFormat;

  constructor(readonly timeZone: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      weekday: 'short',
    });
  }

  private info(ms: number) {
    const key = Math.floor(ms / HOUR);
    let v = this.cache.get(key);
    if (!v) {
      const parts: Record<string, string> = {};
      for (const p of this.format.formatToParts(new Date(key * HOUR))) parts[p.type] = p.value;
      const localAsUtc = Date.UTC(
        Number(parts.year),
        Number(parts.month) - 1,
        Number(parts.day),
        Number(parts.hour),
        Number(parts.minute),
      );
      v = {
        hour: Number(parts.hour),
        weekday: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(parts.weekday ?? ''),
        offsetMs: localAsUtc - key * HOUR,
      };
      this.cache.set(key, v);
    }
    return v;
  }

  hour(ms: number): number {
    return this.info(ms).hour;
  }

  /** 0 = Sunday. */
  weekday(ms: number): number {
    return this.info(ms).weekday;
  }

  /** Local time minus UTC, in ms, at that instant. */
  offset(ms: number): number {
    return this.info(ms).offsetMs;
  }

  /** The UTC instant of a local wall-clock time on a local date ('YYYY-MM-DD', minutes after midnight). */
  toUtc(localDate: string, minutes: number): number {
    const guess = dayStart(localDate) + minutes * MINUTE;
    const first = guess - this.offset(guess);
    return guess - this.offset(first);
  }

  /** Local calendar date of an instant. */
  localDate(ms: number): string {
    return dateOf(ms + this.offset(ms));
  }
}

export type BusinessHours = readonly [number, number];

export function isAfterHours(clock: LocalClock, ms: number, hours: BusinessHours): boolean {
  const h = clock.hour(ms);
  return h < hours[0] || h >= hours[1];
}
