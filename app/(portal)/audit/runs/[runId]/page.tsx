import type { Metadata } from 'next';
import Link from 'next/link';
import { ResultsTable } from '@/components/query/results-table';
import { RerunButton } from '@/components/query/rerun-button';
import { RunWatcher } from '@/components/query/run-watcher';
import { Alert, Badge } from '@/components/ui/alert';
import { LinkButton } from '@/components/ui/button';
import { PageHeader, Section } from '@/components/ui/page-header';
import { requirePage } from '@/lib/web/guard';
import { pageData } from '@/lib/web/page-data';
import { formatBytes, formatDuration, formatTimestamp, formatUsd } from '@/lib/format';
import { cancelRunAction, exportRunAction, rerunAction } from './actions';
import { getRun } from '@/lib/queries/get-run';
import { getRunResults } from '@/lib/queries/get-run-results';
import { listRuns } from '@/lib/queries/list-runs';
import { RunParameters, runParameterText } from '@/components/query/run-parameters';
import { ExportButtons } from '@/components/query/export-buttons';

export const metadata: Metadata = { title: 'Query run' };

const STATUS_TONE = { running: 'info', succeeded: 'success', failed: 'error', cancelled: 'warning' } as const;

export default async function RunPage({
  params,
  searchParams,
}: {
  params: Promise<{ runId: string }>;
  searchParams: Promise<Record<string, string | undefined>>;
}) {
  const { runId } = await params;
  const search = await searchParams;
  const ctx = await requirePage('/audit/runs/[runId]', `/audit/runs/${runId}`);
  const run = await pageData(getRun(ctx, runId));
  const page = run.canViewResults ? await pageData(getRunResults(ctx, run.id, search)) : null;
  const earlier = run.canViewResults
    ? (await listRuns(ctx, { queryId: run.queryId, status: 'succeeded', limit: 20 })).runs.filter((r) => r.id !== run.id && r.startedAt < run.startedAt)
    : [];
  const sort = page && search.sort && page.columns.some((c) => c.name === search.sort) ? search.sort : undefined;
  const dir = search.dir === 'desc' ? 'desc' : 'asc';

  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/audit/runs" className="text-brand-700 hover:underline">
          ← Run history
        </Link>
      </p>
      <PageHeader
        title={run.queryTitle}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <Badge tone={STATUS_TONE[run.status]}>{run.status}</Badge>
            <span>
              started {formatTimestamp(run.startedAt)} by {run.actorLabel}
            </span>
          </span>
        }
        actions={
          <>
            {run.status !== 'running' ? <RerunButton action={rerunAction.bind(null, run.id)} /> : null}
            <LinkButton href={`/audit/${run.queryId}?${new URLSearchParams(run.scope ? { from: run.scope.from, to: run.scope.to } : {}).toString()}`}>
              New run
            </LinkButton>
          </>
        }
      />
      {run.status === 'running' ? (
        <Section title="Progress">
          <RunWatcher runId={run.id} cancel={cancelRunAction.bind(null, run.id)} canCancel={run.ownedByViewer} />
        </Section>
      ) : null}
      {run.error ? (
        <div className="mb-6">
          <Alert tone={run.status === 'cancelled' ? 'warning' : 'error'} title={run.status === 'cancelled' ? 'The run was cancelled' : 'The run failed'}>
            {run.error}
            {run.engineError ? <pre className="mt-2 whitespace-pre-wrap font-mono text-xs">{run.engineError}</pre> : null}
          </Alert>
        </div>
      ) : null}
      {page ? (
        <Section
          title="Result"
          description={
            <span className="flex flex-wrap gap-3">
              <span>{(run.rowCount ?? 0).toLocaleString('en-US')} rows</span>
              <ExportButtons runId={run.id} formats={run.exportFormats} exportRun={exportRunAction} />
            </span>
          }
        >
          <ResultsTable
            caption={`Result of ${run.queryTitle}`}
            columns={page.columns}
            rows={page.rows}
            total={page.total}
            offset={page.offset}
            limit={page.limit}
            sort={sort}
            dir={dir}
            baseHref={`/audit/runs/${run.id}`}
          />
        </Section>
      ) : run.status === 'succeeded' ? (
        <Alert tone="info">Your role may see that this run happened, but not its rows.</Alert>
      ) : null}
      {earlier.length > 0 ? (
        <Section title="Compare with an earlier run" description="Did the answer change? Rows added and removed since an earlier run of the same query.">
          <ul className="flex flex-col gap-1 text-sm">
            {earlier.slice(0, 10).map((r) => (
              <li key={r.id}>
                <Link className="text-brand-700 underline" href={`/audit/runs/compare?before=${r.id}&after=${run.id}`}>
                  Compare with the run of {formatTimestamp(r.startedAt)}
                </Link>{' '}
                <span className="text-slate-500">
                  by {r.actorLabel}, {r.rowCount ?? 0} rows, {runParameterText(r)}
                </span>
              </li>
            ))}
          </ul>
        </Section>
      ) : null}
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
    </>
  );
}
