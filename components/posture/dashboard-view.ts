// How the dashboards read their data for display: the window picker's addresses, what the logs
// cover of a figure's window, the status a panel shows in the summary, times relative to now.
// Pure functions of the dashboard data, shared by the server components of the page.
import type { CoverageSource, LogCoverage } from '@/lib/engine/port';
import type { FigureKey, PanelId } from '@/lib/posture/figures';
import type { HeadlineStatus } from '@/lib/posture/summary';

/** Each panel's main figure, the logs it reads, and the section of the page that shows it. */
export const PANELS: Record<PanelId, { figure: FigureKey; sources: CoverageSource[]; anchor: string }> = {
  storage: { figure: 'storage.snapshot', sources: ['s3_inventory'], anchor: 'section-storage-tiers' },
  decrypt: { figure: 'decrypt.minutes', sources: ['cloudtrail'], anchor: 'section-kms-decrypt-denied' },
  access: { figure: 'access.daily', sources: ['cloudtrail', 's3_access_logs'], anchor: 'section-access-overview' },
  trails: { figure: 'trails.coverage', sources: ['cloudtrail'], anchor: 'section-trail-health' },
};

/** The windows the picker offers: the lake's last N days. */
export const WINDOW_PRESETS = [
  { days: 7, label: '7 days' },
  { days: 30, label: '30 days' },
  { days: 90, label: '90 days' },
  { days: 365, label: 'A year' },
] as const;

/** The window the page shows when the address names none. */
export const DEFAULT_PRESET = 30;

/** The address of a window: a preset (`?days=`) or a custom range (`?from=&to=`); the default preset is the bare page. */
export function windowHref(window: { days: number } | { from: string; to: string }): string {
  if ('days' in window) return window.days === DEFAULT_PRESET ? '/posture' : `/posture?${new URLSearchParams({ days: String(window.days) }).toString()}`;
  return `/posture?${new URLSearchParams({ from: window.from, to: window.to }).toString()}`;
}

/** The query-string keys the page reads, as the dashboards' verb takes them. */
export function windowInput(search: Record<string, string | string[] | undefined>): { days?: string; from?: string; to?: string } {
  const one = (v: string | string[] | undefined) => (typeof v === 'string' && v !== '' ? v : undefined);
  const out: { days?: string; from?: string; to?: string } = {};
  const days = one(search.days);
  const from = one(search.from);
  const to = one(search.to);
  if (days) out.days = days;
  if (from) out.from = from;
  if (to) out.to = to;
  return out;
}

/** The page's own address with its query string, to come back to after signing in. */
export function pagePath(input: { days?: string; from?: string; to?: string }): string {
  const query = new URLSearchParams(Object.entries(input).filter((e): e is [string, string] => typeof e[1] === 'string')).toString();
  return query ? `/posture?${query}` : '/posture';
}

/**
 * What the logs a figure read cover of its window: `none` when no source it reads delivered
 * anything in the window (an empty figure there proves nothing), `partial` when some hours or
 * sources are missing, `complete`, or `unknown` when the run recorded no coverage.
 */
export type CoverageState = 'none' | 'partial' | 'complete' | 'unknown';

export function coverageState(coverage: LogCoverage | null | undefined, sources?: readonly CoverageSource[]): CoverageState {
  if (!coverage) return 'unknown';
  const read = Object.entries(coverage.sources).filter(([name, s]) => s && (!sources || sources.includes(name as CoverageSource)));
  if (read.length === 0) return 'unknown';
  // storage figures read the latest inventory report on or before their day: an earlier one stands in
  const empty = (name: string, s: NonNullable<LogCoverage['sources'][CoverageSource]>) =>
    s.daysWithLogs === 0 && !(name === 's3_inventory' && s.firstDay !== null && s.firstDay <= coverage.to);
  if (read.every(([name, s]) => empty(name, s!))) return 'none';
  if (read.some(([name, s]) => empty(name, s!) || s!.gaps.length > 0)) return 'partial';
  return 'complete';
}

export type PanelStatus = { tone: 'success' | 'warning' | 'neutral'; label: string };

/** The badge a panel shows in the summary: its headline's status, unless its logs say the figures prove nothing. */
export function panelStatus(status: HeadlineStatus, coverage: CoverageState): PanelStatus {
  if (coverage === 'none') return { tone: 'warning', label: 'No logs' };
  if (status === 'attention') return { tone: 'warning', label: 'Needs attention' };
  if (status === 'unknown') return { tone: 'neutral', label: 'Not recorded' };
  return { tone: 'success', label: 'Healthy' };
}

/** "just now", "4 minutes ago", "3 hours ago", "2 days ago". */
export function timeAgo(iso: string, now: Date): string {
  const seconds = Math.max(0, Math.round((now.getTime() - Date.parse(iso)) / 1000));
  if (seconds < 60) return 'just now';
  const unit = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'} ago`;
  if (seconds < 3600) return unit(Math.floor(seconds / 60), 'minute');
  if (seconds < 86_400) return unit(Math.floor(seconds / 3600), 'hour');
  return unit(Math.floor(seconds / 86_400), 'day');
}

/** The hours the hourly chart shows at most: a month; longer windows show the days around each spike. */
export const HOURLY_MAX = 31 * 24;

/**
 * The hours of the hourly chart: every hour of a window up to a month long; beyond that, the day
 * before, of and after each spike (or the window's last week when there is none), in order.
 */
export function hourlyFocus<T extends { hour: string }>(hourly: T[], spikeHours: string[][], maxHours = HOURLY_MAX): { hours: T[]; focused: boolean } {
  if (hourly.length <= maxHours) return { hours: hourly, focused: false };
  if (spikeHours.length === 0) return { hours: hourly.slice(-7 * 24), focused: true };
  const keep = new Set<number>();
  const index = new Map(hourly.map((h, i) => [h.hour, i]));
  for (const hours of spikeHours) {
    const first = index.get(hours[0] ?? '');
    const last = index.get(hours.at(-1) ?? '');
    if (first === undefined || last === undefined) continue;
    for (let i = Math.max(0, first - 24); i <= Math.min(hourly.length - 1, last + 24); i++) keep.add(i);
  }
  const hours = [...keep].sort((a, b) => a - b).map((i) => hourly[i]!);
  return { hours: hours.length ? hours.slice(0, maxHours) : hourly.slice(-7 * 24), focused: true };
}

/** "2026-10-19T15:54:12Z" → "2026-10-19 15:54:12"; hours ("2026-10-19T15") → "2026-10-19 15:00". */
export function utcText(iso: string): string {
  if (/^\d{4}-\d{2}-\d{2}T\d{2}$/.test(iso)) return `${iso.slice(0, 10)} ${iso.slice(11, 13)}:00`;
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}(:\d{2})?)(\.\d+)?Z?$/.exec(iso);
  return m ? `${m[1]} ${m[2]}` : iso;
}

/** A share as a percentage with one decimal ("12.5%"), a dash when there is nothing to share. */
export function percent(share: number | null): string {
  return share === null ? '—' : `${(share * 100).toFixed(share > 0 && share < 0.001 ? 2 : 1)}%`;
}
