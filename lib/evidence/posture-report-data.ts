import 'server-only';
import type { Ctx } from '@/lib/context';
import type { CoverageSource, LogCoverage, SourceCoverage } from '@/lib/engine/port';
import type { PostureDashboard } from '@/lib/posture/dashboard-types';
import type { PostureSummary } from '@/lib/posture/summary';
import type { ChartDto, PostureSummaryReportDto, ReportHeader } from './render';
import { coverageOf, GENERAL_LIMITS, integrityFor, sourcesOf } from './report-scope';

// The posture summary PDF says what the dashboards say: the same summary (headlines, key figures)
// the posture page computes, its panels' series as charts, and the recorded runs behind them.

export type PostureData = PostureDashboard & { summary: PostureSummary };

/** Coverage of the window itself, per source, from the figures' runs over exactly that window. */
function windowCoverage(d: PostureData): LogCoverage | null {
  const sources: Partial<Record<CoverageSource, SourceCoverage>> = {};
  for (const ref of Object.values(d.figures)) {
    const c = ref?.coverage;
    if (!c || c.from !== d.window.from || c.to !== d.window.to) continue;
    for (const [name, source] of Object.entries(c.sources) as [CoverageSource, SourceCoverage | undefined][]) if (source) sources[name] ??= source;
  }
  return Object.keys(sources).length ? { from: d.window.from, to: d.window.to, sources } : null;
}

export function postureCharts(d: PostureData): ChartDto[] {
  const charts: ChartDto[] = [];
  const run = (key: keyof PostureData['figures']) => d.figures[key]?.runId;
  const source = (key: keyof PostureData['figures'], what: string) => (run(key) ? `${what}; run ${run(key)}.` : `${what}.`);
  if (d.storage) {
    const { panel, trend, projection } = d.storage;
    charts.push({
      title: 'Storage by class',
      kind: 'bars',
      unit: 'bytes',
      series: [{ label: 'Bytes' }],
      points: panel.classes.map((c) => ({ label: c.label, values: [c.bytes] })),
      note: source('storage.snapshot', `S3 Inventory as of ${panel.asOf}`),
      empty: 'The inventory lists no object.',
    });
    if (trend && trend.points.length) {
      charts.push({
        title: `Storage over the window, by class (per ${trend.granularity === 'month' ? 'month' : 'inventory report'})`,
        kind: 'bars',
        unit: 'bytes',
        series: trend.classes.map((c) => ({ label: c })),
        points: trend.points.map((p) => ({ label: p.period, values: trend.classes.map((c) => p.bytes[c] ?? 0) })),
        note: source('storage.trend', 'S3 Inventory reports in the window'),
      });
    }
    if (projection.months.length) {
      charts.push({
        title: 'Projected storage cost under the lifecycle rules (US dollars a month)',
        kind: 'line',
        unit: 'usd',
        series: [{ label: 'Estimated cost' }],
        points: projection.months.map((m) => ({ label: m.month, values: [m.usd] })),
        note: source('storage.ages', 'List prices of storage alone'),
      });
    }
  }
  if (d.decrypt) {
    charts.push({
      title: 'KMS Decrypt refusals per day',
      kind: 'bars',
      unit: 'count',
      series: [{ label: 'Refusals' }],
      points: d.decrypt.daily.map((p) => ({ label: p.day, values: [p.count] })),
      note: source('decrypt.minutes', `${d.decrypt.spikes.length} spike${d.decrypt.spikes.length === 1 ? '' : 's'} above the seasonal baseline (${d.decrypt.method})`),
    });
  }
  if (d.access.overview) {
    charts.push({
      title: 'Requests to images per day',
      kind: 'bars',
      unit: 'count',
      series: [{ label: 'HealthImaging' }, { label: 'S3' }],
      points: d.access.overview.daily.map((p) => ({ label: p.day, values: [p.healthimaging, p.s3] })),
      note: source('access.daily', 'CloudTrail data events and S3 server access logs'),
    });
  }
  return charts;
}

export async function postureReportDto(ctx: Ctx, d: PostureData, header: ReportHeader): Promise<PostureSummaryReportDto> {
  return {
    ...header,
    scope: {
      sources: sourcesOf(['cloudtrail_logs', 's3_access_logs', 's3_inventory', 'study_catalog']),
      window: d.window,
      coverage: coverageOf(windowCoverage(d)),
      integrity: await integrityFor(ctx, ['cloudtrail_logs'], d.window),
      doesNotProve: [...d.summary.limits, ...GENERAL_LIMITS],
    },
    asOf: d.summary.asOf,
    refreshId: d.summary.refreshId,
    headlines: d.summary.headlines.map((h) => ({ title: h.title, status: h.status, text: h.text })),
    figures: d.summary.figures.map((f) => ({ label: f.label, value: f.value, detail: f.detail ?? null })),
    charts: postureCharts(d),
    runs: Object.values(d.figures)
      .filter((f) => f !== undefined)
      .map((f) => ({ figure: f.key, queryTitle: f.queryTitle, runId: f.runId, status: f.status, sqlSha256: f.sqlSha256, resultSha256: f.resultSha256 })),
  };
}
