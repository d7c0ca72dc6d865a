import { Alert } from '@/components/ui/alert';
import { addDays } from '@/lib/days';
import type { CoverageGap, CoverageSource, LogCoverage, SourceCoverage } from '@/lib/engine/port';

// What the logs cover of a result's window, stated next to the result so that an empty answer
// never passes for good news: a warning for a source with no logs at all in the window, the gaps
// of a partly covered one, a quiet line when the logs cover every hour.

const LABEL: Record<CoverageSource, string> = {
  cloudtrail: 'CloudTrail',
  s3_access_logs: 'S3 access logs',
  s3_inventory: 'S3 Inventory',
};
/** The source's logs, as a sentence names them. */
const LOGS: Record<CoverageSource, string> = {
  cloudtrail: 'CloudTrail logs',
  s3_access_logs: 'S3 access logs',
  s3_inventory: 'S3 Inventory reports',
};
const ORDER: CoverageSource[] = ['cloudtrail', 's3_access_logs', 's3_inventory'];
/** Gaps named per source; more are counted. */
const MAX_GAPS = 6;

const span = (from: string, to: string) => (from === to ? from : `${from} … ${to}`);

/** "2026-10-12 04:00 – 07:00 UTC"; whole days as days ("2026-10-05 – 2026-10-10", both inclusive). */
export function gapText(gap: CoverageGap): string {
  const [fromDay, fromTime] = [gap.from.slice(0, 10), gap.from.slice(11, 16)];
  const [toDay, toTime] = [gap.to.slice(0, 10), gap.to.slice(11, 16)];
  if (fromTime === '00:00' && toTime === '00:00') {
    const last = addDays(toDay, -1);
    return last === fromDay ? fromDay : `${fromDay} – ${last}`;
  }
  return fromDay === toDay ? `${fromDay} ${fromTime} – ${toTime} UTC` : `${fromDay} ${fromTime} – ${toDay} ${toTime} UTC`;
}

export type CoverageStatement = {
  /** Sources with no logs at all in the window: why, in a sentence each. */
  missing: string[];
  /** Sources with some logs: what is missing, in a sentence each. */
  partial: string[];
  /** Sources whose logs cover every hour of the window. */
  complete: string[];
};

function missingText(name: CoverageSource, s: SourceCoverage, from: string, to: string): string {
  const window = span(from, to);
  if (name === 's3_inventory') {
    const lead = `No S3 Inventory report on or before ${to}`;
    return s.firstDay ? `${lead}; the first report is ${s.firstDay}.` : `${lead}: no report has been delivered.`;
  }
  const lead = `No ${LOGS[name]} cover ${window}`;
  if (!s.firstDay || !s.lastDay) return `${lead}: none have been delivered.`;
  if (s.lastDay < from) return `${lead}; the lake ends ${s.lastDay}.`;
  if (s.firstDay > to) return `${lead}; the logs begin ${s.firstDay}.`;
  return `${lead} (the logs run ${s.firstDay} … ${s.lastDay}).`;
}

export function describeCoverage(coverage: LogCoverage): CoverageStatement {
  const out: CoverageStatement = { missing: [], partial: [], complete: [] };
  for (const name of ORDER) {
    const s = coverage.sources[name];
    if (!s) continue;
    if (s.gaps.length === 0) out.complete.push(LABEL[name]);
    else if (name === 's3_inventory' && s.daysWithLogs === 0 && s.firstDay !== null && s.firstDay <= coverage.to) {
      // Storage queries read the latest report on or before their day: an earlier one stands in.
      out.partial.push(`S3 Inventory: no report in ${span(coverage.from, coverage.to)}; the result reads the latest report before it.`);
    } else if (s.daysWithLogs === 0) out.missing.push(missingText(name, s, coverage.from, coverage.to));
    else {
      const named = s.gaps.slice(0, MAX_GAPS).map(gapText).join('; ');
      const more = s.gaps.length > MAX_GAPS ? ` and ${s.gaps.length - MAX_GAPS} more gaps` : '';
      const what = name === 's3_inventory' ? 'no report' : 'no logs';
      out.partial.push(`${LABEL[name]}: ${what} ${named}${more}.`);
    }
  }
  return out;
}

/** The log coverage of a result's window (null: the run reads no log table, or predates coverage). */
export function CoverageNotice({ coverage }: { coverage: LogCoverage | null }) {
  if (!coverage) return null;
  const { missing, partial, complete } = describeCoverage(coverage);
  const quiet = complete.length > 0 ? `Logs cover every day of the window (${complete.join(', ')}).` : null;
  if (missing.length === 0 && partial.length === 0) {
    return quiet ? <p className="mb-4 text-sm text-slate-500">{quiet}</p> : null;
  }
  return (
    <div className="mb-6 flex flex-col gap-2">
      <Alert tone="warning" title={missing.length > 0 ? 'Logs are missing for this window' : 'The logs have gaps in this window'}>
        <ul className="flex flex-col gap-1">
          {[...missing, ...partial].map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
        <p className="mt-2 text-xs">
          An empty or short result over these days proves nothing about them. A gap is a time for which at least one log location (a
          CloudTrail Region, an access-log bucket) delivered no file.
        </p>
      </Alert>
      {quiet ? <p className="text-sm text-slate-500">{quiet}</p> : null}
    </div>
  );
}
