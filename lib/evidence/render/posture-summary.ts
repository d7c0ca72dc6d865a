import { formatTimestamp } from '@/lib/format';
import { BODY, heading, keyValueBlock, lines, paragraph } from './blocks';
import { drawChart } from './chart';
import { drawCoverPage } from './cover';
import { createReportDocument } from './document';
import { drawScopeSection } from './scope';
import { drawTable } from './table';
import { COLOR } from './theme';
import type { PostureSummaryReportDto } from './types';

const STATUS = { ok: 'OK', attention: 'Needs attention', unknown: 'Not known' } as const;

/** The posture summary: the dashboards' headline figures and charts for a window, with the runs behind them. */
export async function renderPostureSummary(dto: PostureSummaryReportDto): Promise<Buffer> {
  const window = dto.scope.window ? `${dto.scope.window.from} to ${dto.scope.window.to}` : 'no window';
  const r = createReportDocument(dto, { subject: `Posture summary, ${window} (evidence ${dto.evidenceId})`, keywords: dto.refreshId ? [dto.refreshId] : [] });
  drawCoverPage(r, {
    answers: `How the archive stood from ${window}: storage tiers and their cost, KMS Decrypt refusals and their spikes, access volume, and trail health, as the posture dashboards show them — aggregates only, no patient identifier.`,
    audience: 'The security officer or CISO, and an auditor who must see the figures and the recorded runs they come from.',
    facts: [
      { label: 'Window', value: `${window} (UTC days, both inclusive)` },
      { label: 'Figures recorded', value: dto.asOf ? formatTimestamp(dto.asOf) : 'Never: no refresh finished for this window' },
      ...(dto.refreshId ? [{ label: 'Refresh', value: dto.refreshId, mono: true }] : []),
    ],
  });
  await drawScopeSection(r, dto.scope);

  heading(r, 'Headlines');
  for (const h of dto.headlines) {
    heading(r, `${h.title} — ${STATUS[h.status]}`, 2, 20);
    paragraph(r, h.text, h.status === 'attention' ? { ...BODY, color: COLOR.warn } : BODY);
  }

  heading(r, 'Key figures');
  if (dto.figures.length) keyValueBlock(r, dto.figures.map((f) => ({ label: f.label, value: f.detail ? `${f.value} (${f.detail})` : f.value })));
  else paragraph(r, 'No figure was recorded for this window.');

  heading(r, 'Charts');
  for (const chart of dto.charts) drawChart(r, chart);

  await drawTable(
    r,
    [
      { label: 'Figure', kind: 'text' },
      { label: 'Saved query', kind: 'text' },
      { label: 'Run', kind: 'id' },
      { label: 'Status', kind: 'text' },
      { label: 'SQL SHA-256', kind: 'id' },
      { label: 'Result SHA-256', kind: 'id' },
    ],
    dto.runs.map((run) => [run.figure, run.queryTitle, run.runId, run.status, run.sqlSha256, run.resultSha256]),
    { heading: 'Where the figures come from', title: 'Recorded runs', empty: 'No run was recorded for this window.', maxLines: 6 },
  );
  lines(r, 'Each run is in the run ledger with its parameters, and can be re-run and compared there.', { font: 'sans', size: 8, color: COLOR.muted });
  return r.finish();
}
