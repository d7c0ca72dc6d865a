// The one-page posture summary: key figures and each panel's headline, computed from the same
// dashboard data the page shows, so the page and the signed PDF the evidence feature makes from it
// say the same thing. Plain data (no markup), aggregates only.
import { formatBytes } from '@/lib/format';
import type { PostureDashboard } from './dashboard-types';
import { COVERAGE_LABELS } from './trail-health';

export type HeadlineStatus = 'ok' | 'attention' | 'unknown';

export type PanelHeadline = { panel: 'storage' | 'decrypt' | 'access' | 'trails'; title: string; status: HeadlineStatus; text: string; runIds: string[] };

export type KeyFigure = { label: string; value: string; detail?: string; runId: string | null };

export type PostureSummary = {
  window: { from: string; to: string };
  /** When the figures were recorded (the refresh's end), null before any refresh. */
  asOf: string | null;
  refreshId: string | null;
  headlines: PanelHeadline[];
  figures: KeyFigure[];
  /** What the summary does not prove. */
  limits: string[];
};

const pct = (share: number | null) => (share === null ? '—' : `${(share * 100).toFixed(share > 0 && share < 0.001 ? 2 : 1)}%`);
const usd = (v: number) => `$${v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const n = (v: number) => v.toLocaleString('en-US');
const when = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

export function postureSummary(d: PostureDashboard): PostureSummary {
  const runId = (key: keyof PostureDashboard['figures']) => d.figures[key]?.runId ?? null;
  const headlines: PanelHeadline[] = [];
  const figures: KeyFigure[] = [];

  const s = d.storage;
  if (s) {
    const t = s.panel.totals;
    const pending = t.pastRetention.objects > 0 ? ` ${n(t.pastRetention.objects)} object versions (${formatBytes(t.pastRetention.bytes)}) are past retention and await disposition.` : '';
    headlines.push({
      panel: 'storage',
      title: 'Storage tiers',
      status: t.pastRetention.objects > 0 ? 'attention' : 'ok',
      text: `${formatBytes(t.bytes)} in ${n(t.objects)} object versions, ${pct(t.lockedShare)} under Object Lock; about ${usd(s.panel.cost.totalUsd)} a month in storage.${pending}`,
      runIds: [runId('storage.snapshot'), runId('storage.ages')].filter((x): x is string => x !== null),
    });
    figures.push(
      { label: 'Archive size', value: formatBytes(t.bytes), detail: `${n(t.objects)} object versions`, runId: runId('storage.snapshot') },
      { label: 'Estimated storage cost', value: `${usd(s.panel.cost.totalUsd)} / month`, detail: `${s.panel.region} list prices${s.panel.cost.unpriced.length ? `, unpriced: ${s.panel.cost.unpriced.join(', ')}` : ''}`, runId: runId('storage.snapshot') },
      { label: 'Under Object Lock', value: pct(t.lockedShare), detail: formatBytes(t.locked.bytes), runId: runId('storage.snapshot') },
      { label: 'Past retention, awaiting disposition', value: n(t.pastRetention.objects), detail: formatBytes(t.pastRetention.bytes), runId: runId('storage.snapshot') },
    );
    if (s.projection.months.length) figures.push({ label: 'Projected storage cost, next 12 months', value: usd(s.projection.totalUsd), detail: 'under the bucket’s lifecycle rules', runId: runId('storage.ages') });
  } else headlines.push({ panel: 'storage', title: 'Storage tiers', status: 'unknown', text: 'No recorded storage figures for this window.', runIds: [] });

  const k = d.decrypt;
  if (k) {
    const spikes = k.spikes.map((x) => `${when(x.start)} – ${x.end.slice(11, 16)} UTC (${n(x.count)} refusals)`);
    headlines.push({
      panel: 'decrypt',
      title: 'KMS Decrypt denied',
      status: k.spikes.length > 0 ? 'attention' : 'ok',
      text: k.spikes.length > 0 ? `${n(k.total)} refusals; ${k.spikes.length === 1 ? 'one spike' : `${k.spikes.length} spikes`} above the seasonal baseline: ${spikes.join('; ')}.` : `${n(k.total)} refusals, none above the seasonal baseline.`,
      runIds: [runId('decrypt.minutes')].filter((x): x is string => x !== null),
    });
    figures.push({ label: 'Decrypt refusals', value: n(k.total), detail: `${k.spikes.length} spike${k.spikes.length === 1 ? '' : 's'}`, runId: runId('decrypt.minutes') });
  } else headlines.push({ panel: 'decrypt', title: 'KMS Decrypt denied', status: 'unknown', text: 'No recorded Decrypt figures for this window.', runIds: [] });

  const a = d.access.overview;
  if (a) {
    const bulk = d.access.bulk;
    const failed = d.access.failed;
    const parts = [`${n(a.totals.requests)} requests to images, ${pct(a.totals.afterHoursShare)} after hours`];
    if (bulk) parts.push(bulk.principals.length ? `${bulk.principals.length} principal${bulk.principals.length === 1 ? '' : 's'} flagged for bulk access (${n(bulk.flaggedHours)} hours)` : 'no bulk access flagged');
    if (failed) parts.push(`${n(failed.total)} refused requests`);
    headlines.push({
      panel: 'access',
      title: 'Access overview',
      status: bulk && bulk.principals.length > 0 ? 'attention' : 'ok',
      text: `${parts.join('; ')}.`,
      runIds: (['access.daily', 'access.principals', 'access.bulk', 'access.failed'] as const).map(runId).filter((x): x is string => x !== null),
    });
    figures.push(
      { label: 'Requests to images', value: n(a.totals.requests), detail: `${n(a.principals)} principals`, runId: runId('access.daily') },
      { label: 'After-hours share', value: pct(a.totals.afterHoursShare), detail: `${n(a.totals.afterHours)} requests`, runId: runId('access.daily') },
    );
    if (bulk) figures.push({ label: 'Bulk-access flags', value: n(bulk.flaggedHours), detail: `${bulk.principals.length} principals`, runId: runId('access.bulk') });
    if (failed) figures.push({ label: 'Refused requests', value: n(failed.total), detail: `HealthImaging ${n(failed.bySource.healthimaging ?? 0)}, S3 ${n(failed.bySource.s3 ?? 0)}, KMS ${n(failed.bySource.kms ?? 0)}`, runId: runId('access.failed') });
  } else headlines.push({ panel: 'access', title: 'Access overview', status: 'unknown', text: 'No recorded access figures for this window.', runIds: [] });

  const tr = d.trails;
  const v = tr.verdict;
  if (v) {
    const logging = v.trails.filter((t) => t.logging === true).length;
    const gaps = tr.gaps.length ? ` ${tr.gaps.length} coverage gap${tr.gaps.length === 1 ? '' : 's'} (${n(tr.gapHours)} hours without CloudTrail events).` : ' No hour without CloudTrail events.';
    headlines.push({
      panel: 'trails',
      title: 'Trail health',
      status: v.problems.length > 0 || tr.gaps.length > 0 ? 'attention' : 'ok',
      text: `${logging} of ${v.trails.length} trails logging; S3 data events of the archive: ${COVERAGE_LABELS[v.s3DataEvents]}; HealthImaging data events: ${COVERAGE_LABELS[v.imagingDataEvents]}.${gaps}`,
      runIds: [runId('trails.coverage')].filter((x): x is string => x !== null),
    });
    figures.push(
      { label: 'Trails logging', value: `${logging} of ${v.trails.length}`, detail: v.validatedLogging ? 'with log file validation' : 'no validated trail', runId: null },
      { label: 'Coverage gaps', value: n(tr.gaps.length), detail: `${n(tr.gapHours)} hours`, runId: runId('trails.coverage') },
    );
  } else headlines.push({ panel: 'trails', title: 'Trail health', status: 'unknown', text: tr.unavailable ?? 'No recorded trail status for this window.', runIds: [] });

  return {
    window: d.window,
    asOf: d.refresh?.finishedAt ?? null,
    refreshId: d.refresh?.id ?? null,
    headlines,
    figures,
    limits: [
      'Aggregates of the recorded runs named; each can be re-run and compared from the run ledger.',
      'Hours without logs count nothing: see each panel’s coverage before reading an empty figure as good news.',
      'Costs are list-price estimates of storage alone (no requests, retrievals or minimum-duration charges).',
    ],
  };
}
