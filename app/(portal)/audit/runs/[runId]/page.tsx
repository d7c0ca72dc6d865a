import type { Metadata } from 'next';
import Link from 'next/link';
import { ResultsTable } from '@/components/query/results-table';
import { RerunButton } from '@/components/query/rerun-button';
import { RunWatcher } from '@/components/query/run-watcher';
import { CoverageNotice } from '@/components/query/coverage-notice';
import { Alert, Badge } from '@/components/ui/alert';
import { LinkButton } from '@/components/ui/button';
import { PageHeader, Section } from '@/components/ui/page-header';
import { requirePage } from '@/lib/web/guard';
import { pageData } from '@/lib/web/page-data';
import { formatTimestamp } from '@/lib/format';
import { cancelRunAction, exportRunAction, rerunAction } from './actions';
import { getRun } from '@/lib/queries/get-run';
import { getRunResults } from '@/lib/queries/get-run-results';
import { describeResults } from '@/lib/queries/describe-results';
import { listComparableRuns } from '@/lib/queries/list-comparable-runs';
import { RunProvenance } from '@/components/query/run-provenance';
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
  const view = page ? await describeResults(ctx, { queryId: run.queryId, parameters: run.parameters, columns: page.columns, rows: page.rows }) : null;
  const earlier = run.canViewResults ? await listComparableRuns(ctx, run.id) : [];
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
            {run.canRun && run.status !== 'running' ? <RerunButton action={rerunAction.bind(null, run.id)} /> : null}
            {run.canRun ? (
              <LinkButton href={`/audit/${run.queryId}?${new URLSearchParams(run.scope ? { from: run.scope.from, to: run.scope.to } : {}).toString()}`}>
                New run
              </LinkButton>
            ) : null}
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
      <CoverageNotice coverage={run.coverage} />
      {page ? (
        <Section
          title="Result"
          description={
            <span className="flex flex-wrap gap-3">
              <span>{(run.rowCount ?? 0).toLocaleString('en-US')} {run.rowCount === 1 ? 'row' : 'rows'}</span>
              <ExportButtons runId={run.id} formats={run.exportFormats} exportRun={exportRunAction} />
            </span>
          }
        >
          <ResultsTable
            caption={`Result of ${run.queryTitle}`}
            columns={view?.columns ?? page.columns}
            rows={page.rows}
            links={view?.links}
            drilldownLabel={view?.drilldownLabel}
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
        <Section title="Compare with an earlier run" description="Did the answer change? Earlier runs of the same query with the same parameters, and the rows added and removed since.">
          <ul className="flex flex-col gap-1 text-sm">
            {earlier.map((r) => (
              <li key={r.id}>
                <Link className="text-brand-700 underline" href={`/audit/runs/compare?before=${r.id}&after=${run.id}`}>
                  Compare with the run of {formatTimestamp(r.startedAt)}
                </Link>{' '}
                <span className="text-slate-500">
                  by {r.actorLabel}, {(r.rowCount ?? 0).toLocaleString('en-US')} {r.rowCount === 1 ? 'row' : 'rows'}
                </span>
              </li>
            ))}
          </ul>
        </Section>
      ) : null}
      <RunProvenance run={run} />
    </>
  );
}
