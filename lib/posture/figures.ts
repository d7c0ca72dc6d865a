// Which saved query runs each figure of the posture dashboards, with which parameters for a
// window: the one list a refresh runs and the dashboards read. Every query here returns
// aggregates only (no patient identifier column); the test of minimum necessary checks it.
import { addDays, daysBetween } from '@/lib/days';
import { SPIKE_SEASON_DAYS } from './spikes';

export type PostureWindow = { from: string; to: string };

export type PanelId = 'storage' | 'decrypt' | 'access' | 'trails';

export type FigureSettings = {
  timeZone: string;
  businessStart: number;
  businessEnd: number;
  /** The longest range a query may cover (CUSTOS_QUERY_MAX_DAYS). */
  maxDays: number;
};

type Figure = { panel: PanelId; queryId: string; params: (w: PostureWindow, s: FigureSettings) => Record<string, string | number> };

const range = (w: PostureWindow) => ({ from: w.from, to: w.to });
const hours = (s: FigureSettings) => ({ time_zone: s.timeZone, start_hour: s.businessStart, end_hour: s.businessEnd });

/** Windows longer than this show the storage trend per month; shorter ones, per inventory report. */
export const TREND_REPORTS_MAX_DAYS = 92;

/**
 * The Decrypt-denied run starts this far before the window, so the first days of the window have
 * a baseline too (as much as the longest range a query may cover allows).
 */
export function decryptHistoryFrom(w: PostureWindow, maxDays: number): string {
  const wanted = addDays(w.from, -SPIKE_SEASON_DAYS);
  const length = daysBetween(w.from, w.to).length;
  const allowed = Math.max(0, Math.min(SPIKE_SEASON_DAYS, maxDays - length));
  return allowed === SPIKE_SEASON_DAYS ? wanted : addDays(w.from, -allowed);
}

export const FIGURES = {
  'storage.snapshot': { panel: 'storage', queryId: 'storage-posture', params: (w) => ({ as_of: w.to }) },
  'storage.trend': {
    panel: 'storage',
    queryId: 'storage-tier-trend',
    params: (w) => ({ ...range(w), granularity: daysBetween(w.from, w.to).length > TREND_REPORTS_MAX_DAYS ? 'month' : 'report' }),
  },
  'storage.ages': { panel: 'storage', queryId: 'storage-object-ages', params: (w) => ({ as_of: w.to }) },
  'decrypt.minutes': { panel: 'decrypt', queryId: 'decrypt-denied-minutes', params: (w, s) => ({ from: decryptHistoryFrom(w, s.maxDays), to: w.to }) },
  'access.daily': { panel: 'access', queryId: 'access-volume', params: (w, s) => ({ ...range(w), ...hours(s) }) },
  'access.principals': { panel: 'access', queryId: 'access-by-principal', params: (w, s) => ({ ...range(w), ...hours(s) }) },
  'access.bulk': { panel: 'access', queryId: 'bulk-access', params: (w) => range(w) },
  'access.failed': { panel: 'access', queryId: 'failed-access', params: (w) => range(w) },
  'trails.coverage': { panel: 'trails', queryId: 'trail-coverage', params: (w) => range(w) },
} as const satisfies Record<string, Figure>;

export type FigureKey = keyof typeof FIGURES;
export const FIGURE_KEYS = Object.keys(FIGURES) as FigureKey[];

/** Control-plane snapshots a refresh records. */
export const SNAPSHOT_KINDS = ['trails', 'lifecycle'] as const;
export type SnapshotKind = (typeof SNAPSHOT_KINDS)[number];

export function figureParams(key: FigureKey, w: PostureWindow, s: FigureSettings): Record<string, string | number> {
  return (FIGURES[key] as Figure).params(w, s);
}
