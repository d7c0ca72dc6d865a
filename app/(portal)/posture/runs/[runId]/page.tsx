import type { Metadata } from 'next';
import Link from 'next/link';
import { RunExport } from '@/components/posture/run-export';
import { CoverageNotice } from '@/components/query/coverage-notice';
import { ResultsTable } from '@/components/query/results-table';
import { RunProvenance } from '@/components/query/run-provenance';
import { Alert, Badge } from '@/components/ui/alert';
import { PageHeader, Section } from '@/components/ui/page-header';
import { requirePage } from '@/lib/web/guard';
import { pageData } from '@/lib/web/page-data';
import { formatTimestamp } from '@/lib/format';
import { getPostureRun } from '@/lib/posture/get-posture-run';
import { describeResults } from '@/lib/queries/describe-results';
import { exportPostureRunAction } from '../../actions';

export const metadata: Metadata = { title: 'Dashboard run' };

export default async function PostureRunPage({ params, searchParams }: { params: Promise<{ runId: string }>; searchParams: Promise<Record<string, string | undefined>> }) {
  const { runId } = await params;
  const search = await searchParams;
  const ctx = await requirePage('/posture/runs/[runId]', `/posture/runs/${runId}`);
  const { run, figure, page, rowsVisible, inLedger } = await pageData(getPostureRun(ctx, runId, search));
  const view = page ? await describeResults(ctx, { queryId: run.queryId, parameters: run.parameters, columns: page.columns, rows: page.rows }) : null;
  const sort = page && search.sort && page.columns.some((c) => c.name === search.sort) ? search.sort : undefined;
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href={`/posture?${new URLSearchParams({ from: figure.from, to: figure.to }).toString()}`} className="text-brand-700 hover:underline">
          ← Posture, {figure.from} to {figure.to}
        </Link>
      </p>
      <PageHeader
        title={run.queryTitle}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <Badge tone={run.status === 'succeeded' ? 'success' : run.status === 'running' ? 'info' : 'error'}>{run.status}</Badge>
            <span>
              recorded {formatTimestamp(run.startedAt)} by a dashboard refresh{figure.key ? ` (figure ${figure.key})` : ''}
            </span>
            {inLedger ? (
              <Link className="text-brand-700 underline" href={`/audit/runs/${run.id}`}>
                Open in the run ledger
              </Link>
            ) : null}
          </span>
        }
      />
      {run.error ? (
        <div className="mb-6">
          <Alert tone="error" title="The run failed">
            {run.error}
          </Alert>
        </div>
      ) : null}
      <CoverageNotice coverage={run.coverage} />
      {page ? (
        <Section
          title="Rows"
          description={
            <span className="flex flex-wrap gap-3">
              <span>
                {(run.rowCount ?? 0).toLocaleString('en-US')} {run.rowCount === 1 ? 'row' : 'rows'}
              </span>
              <RunExport runId={run.id} exportRun={exportPostureRunAction} />
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
            dir={search.dir === 'desc' ? 'desc' : 'asc'}
            baseHref={`/posture/runs/${run.id}`}
          />
        </Section>
      ) : run.status === 'succeeded' && !rowsVisible ? (
        <Alert tone="info">The dashboard shows this run&apos;s figures; your role may not read its rows.</Alert>
      ) : null}
      <RunProvenance run={run} />
    </>
  );
}
