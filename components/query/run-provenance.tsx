import Link from 'next/link';
import { RunParameters } from '@/components/query/run-parameters';
import { Section } from '@/components/ui/page-header';
import { formatBytes, formatDuration, formatUsd } from '@/lib/format';
import type { RunDto } from '@/lib/queries/run-dto';

const span = (days: { from: string; to: string }) => (days.from === days.to ? days.from : `${days.from} to ${days.to}`);

/** Which days came from the access index and which from the raw logs, in words. */
export function readSplitText(split: NonNullable<RunDto['readSplit']>): string {
  const parts = [
    split.indexed ? `access index for ${span(split.indexed)}` : null,
    split.raw ? `raw logs for ${span(split.raw)}` : null,
  ].filter(Boolean);
  const why = split.indexed
    ? ''
    : split.indexThrough
      ? ' (the index did not cover this window)'
      : ' (no access index yet)';
  return `${parts.join('; ')}${why}`;
}

/** Where a run's answer comes from: its id, parameters, window, engine, data scanned and the hashes of its SQL and result. */
export function RunProvenance({ run }: { run: RunDto }) {
  return (
    <Section title="Provenance">
      <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[max-content_1fr]">
        <dt className="text-slate-500">Run id</dt>
        <dd className="font-mono text-xs">{run.id}</dd>
        <dt className="text-slate-500">Parameters</dt>
        <dd>
          <RunParameters run={run} />
        </dd>
        <dt className="text-slate-500">Window</dt>
        <dd>{run.scope ? `${run.scope.from} to ${run.scope.to} (UTC, inclusive)` : '—'}</dd>
        {run.readSplit ? (
          <>
            <dt className="text-slate-500">Read from</dt>
            <dd data-testid="read-split">{readSplitText(run.readSplit)}</dd>
          </>
        ) : null}
        <dt className="text-slate-500">Engine</dt>
        <dd>
          {run.engine}
          {run.engineExecutionId ? <span className="ml-2 font-mono text-xs text-slate-500">{run.engineExecutionId}</span> : null}
        </dd>
        <dt className="text-slate-500">Data scanned</dt>
        <dd className="tabular">
          {formatBytes(run.bytesScanned)}
          {run.filesScanned !== null ? ` in ${run.filesScanned.toLocaleString('en-US')} files` : ''} (estimated {formatBytes(run.estimatedBytes)}); cost{' '}
          {formatUsd(run.costUsd)}
        </dd>
        <dt className="text-slate-500">Duration</dt>
        <dd className="tabular">{formatDuration(run.durationMs)}</dd>
        <dt className="text-slate-500">SQL SHA-256</dt>
        <dd className="break-all font-mono text-xs">{run.sqlSha256}</dd>
        <dt className="text-slate-500">Result SHA-256</dt>
        <dd className="break-all font-mono text-xs">{run.resultSha256 ?? '—'}</dd>
        {run.rerunOf ? (
          <>
            <dt className="text-slate-500">Re-run of</dt>
            <dd>
              <Link className="font-mono text-xs text-brand-700 underline" href={`/audit/runs/${run.rerunOf}`}>
                {run.rerunOf}
              </Link>
            </dd>
          </>
        ) : null}
      </dl>
    </Section>
  );
}
