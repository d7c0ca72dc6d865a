import { formatBytes, formatDuration, formatTimestamp } from '@/lib/format';
import { BODY, heading, keyValueBlock, lines, MUTED, paragraph, type KeyValue } from './blocks';
import { formatNumber } from './cells';
import { drawCoverPage } from './cover';
import { createReportDocument } from './document';
import { drawScopeSection } from './scope';
import { drawTable } from './table';
import { COLOR } from './theme';
import type { QueryRunReportDto } from './types';

function scanned(run: QueryRunReportDto['run']): string {
  if (run.bytesScanned === null) return 'Not reported by the engine';
  const files = run.filesScanned === null ? '' : ` in ${formatNumber(run.filesScanned)} ${run.filesScanned === 1 ? 'file' : 'files'}`;
  return `${formatBytes(run.bytesScanned)} (${formatNumber(run.bytesScanned)} bytes)${files}`;
}

/** The query-run report: what a saved query returned when it ran, and how to tell it is that answer. */
export async function renderQueryRunReport(dto: QueryRunReportDto): Promise<Buffer> {
  const r = createReportDocument(dto, { subject: `Query-run report: ${dto.query.title} (run ${dto.run.id}, evidence ${dto.evidenceId})`, keywords: [dto.query.id, dto.run.id] });
  drawCoverPage(r, {
    answers: `What the saved query “${dto.query.title}” returned when it ran on ${formatTimestamp(dto.run.runAt)}: the query (by the SHA-256 of its SQL), the parameters, the run, and every row of the result (by its SHA-256).`,
    audience: 'An auditor, or anyone who must show what this question asked of the audit logs and that the answer shown is the one the engine returned.',
    facts: [
      { label: 'Query', value: `${dto.query.title} (${dto.query.id})` },
      { label: 'Run', value: dto.run.id, mono: true },
    ],
  });
  await drawScopeSection(r, dto.scope);

  heading(r, 'The query');
  const query: KeyValue[] = [
    { label: 'Title', value: dto.query.title },
    { label: 'Query id', value: dto.query.id, mono: true },
    { label: 'Description', value: dto.query.description },
    { label: 'Limits', value: dto.query.limits ?? 'None stated.' },
    { label: 'SQL SHA-256', value: dto.query.sqlSha256, mono: true },
  ];
  keyValueBlock(r, query);

  heading(r, 'Parameters', 2);
  if (dto.parameters.length) keyValueBlock(r, dto.parameters.map((p) => ({ label: p.label, value: p.value })));
  else paragraph(r, 'The query takes no parameters.');

  heading(r, 'The run');
  keyValueBlock(r, [
    { label: 'Run id', value: dto.run.id, mono: true },
    { label: 'Engine', value: dto.run.engine },
    { label: 'Execution id', value: dto.run.executionId ?? 'None', mono: dto.run.executionId !== null },
    { label: 'Data scanned', value: scanned(dto.run) },
    { label: 'Run by', value: dto.run.runBy },
    { label: 'Run at', value: formatTimestamp(dto.run.runAt) },
    { label: 'Finished at', value: formatTimestamp(dto.run.finishedAt) },
    { label: 'Duration', value: formatDuration(dto.run.durationMs) },
    { label: 'Rows', value: formatNumber(dto.run.rowCount) },
    { label: 'Result SHA-256', value: dto.run.resultSha256, mono: true },
  ]);

  heading(r, 'Columns', 2);
  keyValueBlock(r, dto.columns.map((c) => ({ label: c.label, value: c.description || c.name })));

  const drawn = await drawTable(r, dto.columns, dto.rows, { heading: 'Rows', title: `Result of run ${dto.run.id}` });
  if (drawn.rows !== dto.run.rowCount) {
    lines(r, `This table shows ${formatNumber(drawn.rows)} rows; the run recorded ${formatNumber(dto.run.rowCount)}.`, { ...BODY, color: COLOR.warn });
  } else {
    lines(r, `${formatNumber(drawn.rows)} ${drawn.rows === 1 ? 'row' : 'rows'}, as the run recorded. The result’s SHA-256 is ${dto.run.resultSha256}.`, MUTED);
  }
  return r.finish();
}
