// What the posture dashboards hand the page, the summary and (later) the signed PDF: figures with
// the run or snapshot behind each, aggregates only. Types only, shared with client components.
import type { LogCoverage } from '@/lib/engine/port';
import type { FigureKey, PostureWindow } from './figures';
import type { AccessPanel, BulkPanel, DecryptPanel, FailedPanel, StoragePanel, StorageProjection, StorageTrend, TrailPanel } from './panels';
import type { ApiCall } from './port';

/** The recorded run behind a figure, as the dashboards cite it. */
export type FigureRef = {
  key: FigureKey;
  queryId: string;
  queryTitle: string;
  runId: string | null;
  status: 'running' | 'succeeded' | 'failed' | 'cancelled' | 'missing';
  parameters: Record<string, string>;
  startedAt: string | null;
  finishedAt: string | null;
  rowCount: number | null;
  sqlSha256: string | null;
  resultSha256: string | null;
  engine: string | null;
  coverage: LogCoverage | null;
  /** The viewer's role may read this query's rows (each saved query names its roles). */
  visible: boolean;
  /** Why the figure has no rows (a failed or refused run, a purged result). */
  problem: string | null;
};

export type SnapshotRef = {
  id: string;
  kind: 'trails' | 'lifecycle';
  source: 'lake' | 'aws';
  subject: string | null;
  takenAt: string;
  sha256: string;
  calls: ApiCall[];
  unavailable: string | null;
};

export type PostureDashboard = {
  window: PostureWindow;
  /** The preset the window matches (7, 30, 90, 365 days to the lake's last day), or null (custom). */
  preset: number | null;
  /** The lake's last day of logs (presets end there), null when it cannot tell. */
  lakeLastDay: string | null;
  refresh: { id: string; state: string; trigger: string; requestedAt: string; finishedAt: string | null; actorLabel: string } | null;
  /** A refresh of this window still running (newer than the one shown). */
  refreshing: { id: string; requestedAt: string } | null;
  figures: Partial<Record<FigureKey, FigureRef>>;
  snapshots: { trails: SnapshotRef | null; lifecycle: SnapshotRef | null };
  storage: { panel: StoragePanel; trend: StorageTrend | null; projection: StorageProjection; retentionHref: string | null } | null;
  decrypt: DecryptPanel | null;
  access: { overview: AccessPanel | null; bulk: BulkPanel | null; failed: FailedPanel | null };
  trails: TrailPanel;
  digestValidation: { available: false; note: string };
  settings: { timeZone: string; businessHours: [number, number]; region: string; archiveBucket: string; prices: { takenOn: string | null; overridden: boolean } };
};
