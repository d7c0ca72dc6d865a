// The DTOs a report is drawn from. They are already cut to what the viewer may see: the renderer
// prints what it is given and nothing else.
import type { Cell } from '@/lib/engine/port';

export type { Cell };

/** UTC days 'YYYY-MM-DD' (both inclusive), or hours 'YYYY-MM-DDTHH:00:00Z' (the end exclusive). */
export type DayGap = { from: string; to: string };

/** Days (UTC, inclusive) for which each source delivered logs in the window. */
export type Coverage = {
  from: string;
  to: string;
  sources: Record<string, { daysWithLogs: number; daysWithout: number; gaps: DayGap[] }>;
};

export type IntegrityProblemDto = { kind: string; file: string; from: string; to: string };

/** The CloudTrail digest validation of the window, or why it was not made. */
export type IntegritySummary =
  | {
      ok: boolean;
      regions: string[];
      digests: { checked: number; valid: number };
      logFiles: { checked: number; valid: number };
      problems: IntegrityProblemDto[];
    }
  | { unavailable: string };

export type ReportScope = {
  sources: string[];
  window: { from: string; to: string } | null;
  coverage: Coverage | null;
  integrity: IntegritySummary | null;
  doesNotProve: string[];
};

export type ReportKind = 'query-run' | 'patient-access' | 'posture-summary' | 'disposition';

export type ReportHeader = {
  evidenceId: string;
  kind: ReportKind;
  title: string;
  /** ISO 8601 UTC; also the PDF's creation date, so equal DTOs give equal bytes. */
  generatedAt: string;
  generatedBy: string;
  portalVersion: string;
  journalHead: { seq: number; hash: string };
  signer: { subject: string; fingerprint: string } | null;
};

export type ColumnKind = 'text' | 'number' | 'bytes' | 'time' | 'date' | 'id';

export type ColumnDto = { name: string; label: string; description: string; kind: ColumnKind };

export type QueryRunReportDto = ReportHeader & {
  scope: ReportScope;
  query: { id: string; title: string; description: string; limits: string | null; sqlSha256: string };
  /** As the viewer may see them (patient identifiers as opaque references or partial values). */
  parameters: { label: string; value: string }[];
  run: {
    id: string;
    engine: string;
    executionId: string | null;
    bytesScanned: number | null;
    filesScanned: number | null;
    runBy: string;
    runAt: string;
    finishedAt: string | null;
    durationMs: number | null;
    rowCount: number;
    resultSha256: string;
  };
  columns: ColumnDto[];
  rows: AsyncIterable<Cell[]>;
};

export type PatientAccessReportDto = ReportHeader & {
  scope: ReportScope;
  patient: { reference: string; partial: string | null };
  studies: { studyInstanceUid: string; accessionNumber: string; modality: string; studyDate: string }[];
  people: { person: string; principal: string; role: string | null; accesses: number; first: string; last: string; studies: number }[];
  accessColumns: ColumnDto[];
  accesses: AsyncIterable<Cell[]>;
  runs: { accessRunId: string; studiesRunId: string; accessResultSha256: string; studiesResultSha256: string };
};

/** A chart drawn as vector graphics: stacked bars, or one line per series, over categories in order. */
export type ChartDto = {
  title: string;
  kind: 'bars' | 'line';
  unit: 'count' | 'bytes' | 'usd';
  series: { label: string; color?: string }[];
  /** One value per series, in the series' order. */
  points: { label: string; values: number[] }[];
  /** Under the chart: where its figures come from. */
  note?: string;
  /** Said instead of an empty chart. */
  empty?: string;
};

export type PostureSummaryReportDto = ReportHeader & {
  scope: ReportScope;
  /** When the figures were recorded (the refresh's end). */
  asOf: string | null;
  refreshId: string | null;
  headlines: { title: string; status: 'ok' | 'attention' | 'unknown'; text: string }[];
  figures: { label: string; value: string; detail: string | null }[];
  charts: ChartDto[];
  /** The recorded runs behind the figures. */
  runs: { figure: string; queryTitle: string; runId: string | null; status: string; sqlSha256: string | null; resultSha256: string | null }[];
};
