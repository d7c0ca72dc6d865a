import { BODY, bullets, heading, lines, paragraph } from './blocks';
import { formatNumber } from './cells';
import type { ReportDocument } from './document';
import { drawTable } from './table';
import { COLOR, SIZE } from './theme';
import type { Coverage, DayGap, IntegrityProblemDto, IntegritySummary, ReportScope } from './types';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

const plural = (n: number, one: string, many = `${one}s`) => `${formatNumber(n)} ${n === 1 ? one : many}`;

/** A gap of whole UTC days (both inclusive), or of hours (`YYYY-MM-DDTHH:00:00Z`, the end exclusive) as runs record them. */
export function describeGap(gap: DayGap): string {
  if (gap.from.includes('T')) return describeHours(gap.from, gap.to);
  const days = Math.round((Date.parse(`${gap.to}T00:00:00Z`) - Date.parse(`${gap.from}T00:00:00Z`)) / DAY_MS) + 1;
  return gap.from === gap.to ? `${gap.from} (1 day)` : `${gap.from} to ${gap.to} (${plural(days, 'day')})`;
}

const PROBLEM: Record<string, string> = {
  'missing-log': 'a log file a digest lists is missing',
  'altered-log': 'a log file differs from the hash its digest holds',
  'missing-digest': 'a digest file is missing',
  'bad-signature': 'a digest file’s signature does not verify',
  'broken-chain': 'the chain of digest files is broken',
  'unknown-key': 'a digest file is signed with a key CloudTrail does not list',
  'unlisted-log': 'a log file is listed in no digest',
};

export function describeHours(from: string, to: string): string {
  const hours = Math.max(1, Math.round((Date.parse(to) - Date.parse(from)) / HOUR_MS));
  const start = `${from.slice(0, 10)} ${from.slice(11, 16)}`;
  const end = to.slice(0, 10) === from.slice(0, 10) ? to.slice(11, 16) : `${to.slice(0, 10)} ${to.slice(11, 16)}`;
  return `${start} to ${end} UTC (${plural(hours, 'hour')})`;
}

export function describeProblem(problem: IntegrityProblemDto): string {
  const what = PROBLEM[problem.kind] ?? problem.kind;
  return `${what[0]!.toUpperCase()}${what.slice(1)} — ${problem.file} — leaves ${describeHours(problem.from, problem.to)} unproven.`;
}

/** The integrity result in plain words: one statement, then each problem. */
export function integrityStatement(integrity: IntegritySummary | null): { statement: string; problems: string[] } {
  if (integrity === null) return { statement: 'Not checked: no CloudTrail log-integrity check was made for this report.', problems: [] };
  if ('unavailable' in integrity) return { statement: `Not checked: ${integrity.unavailable.replace(/\.?$/, '.')}`, problems: [] };
  const regions = integrity.regions.length ? ` (Regions: ${integrity.regions.join(', ')})` : '';
  const counts = `${plural(integrity.digests.checked, 'digest file')}, ${plural(integrity.logFiles.checked, 'log file')}`;
  if (integrity.ok && integrity.problems.length === 0) {
    return { statement: `CloudTrail log files for this window validate against their signed digests: ${counts}${regions}.`, problems: [] };
  }
  const valid = `${formatNumber(integrity.digests.valid)} of ${plural(integrity.digests.checked, 'digest file')} and ${formatNumber(integrity.logFiles.valid)} of ${plural(integrity.logFiles.checked, 'log file')} valid`;
  return {
    statement: `CloudTrail log files for this window do NOT all validate against their signed digests: ${valid}${regions}. ${integrity.problems.length ? `${plural(integrity.problems.length, 'problem')}:` : ''}`.trim(),
    problems: integrity.problems.map(describeProblem),
  };
}

async function drawCoverage(r: ReportDocument, coverage: Coverage): Promise<void> {
  paragraph(r, `Days from ${coverage.from} to ${coverage.to} (UTC, inclusive) for which each source delivered logs:`);
  const names = Object.keys(coverage.sources).sort();
  await drawTable(
    r,
    [
      { label: 'Source', kind: 'text' },
      { label: 'Days with logs', kind: 'number' },
      { label: 'Days without', kind: 'number' },
      { label: 'Gaps', kind: 'number' },
    ],
    names.map((name) => {
      const s = coverage.sources[name]!;
      return [name, s.daysWithLogs, s.daysWithout, s.gaps.length];
    }),
  );
  for (const name of names) {
    const { gaps } = coverage.sources[name]!;
    if (gaps.length === 0) continue;
    lines(r, `${name}: no logs on`, { font: 'bold', size: SIZE.body, color: COLOR.warn });
    bullets(r, gaps.map(describeGap));
  }
  if (names.every((name) => coverage.sources[name]!.gaps.length === 0)) paragraph(r, 'No source has a gap in this window.');
}

/** Sources, window, coverage and its gaps, the log-integrity result, and what the report does not prove. */
export async function drawScopeSection(r: ReportDocument, scope: ReportScope): Promise<void> {
  heading(r, 'Scope');
  heading(r, 'Sources searched', 2);
  if (scope.sources.length) bullets(r, scope.sources);
  else paragraph(r, 'No log sources: this report reads no logs.');

  heading(r, 'Window', 2);
  paragraph(r, scope.window ? `${scope.window.from} to ${scope.window.to} (UTC days, both inclusive).` : 'No date window: the report is not bounded in time.');

  heading(r, 'Coverage', 2);
  if (scope.coverage) await drawCoverage(r, scope.coverage);
  else paragraph(r, 'Not computed: the report does not state which days each source covered.');

  heading(r, 'Log integrity', 2);
  const { statement, problems } = integrityStatement(scope.integrity);
  const failed = problems.length > 0 || (scope.integrity !== null && 'ok' in scope.integrity && !scope.integrity.ok);
  paragraph(r, statement, failed ? { ...BODY, color: COLOR.warn } : BODY);
  if (problems.length) bullets(r, problems);

  heading(r, 'What this report does not show or prove', 2);
  if (scope.doesNotProve.length) bullets(r, scope.doesNotProve);
  else paragraph(r, 'The report states no limits.');
}
