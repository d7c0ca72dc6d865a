import type { Metadata } from 'next';
import Link from 'next/link';
import { Alert, Badge } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Field, Input, Select } from '@/components/ui/field';
import { PageHeader } from '@/components/ui/page-header';
import { requirePage } from '@/lib/web/guard';
import { can } from '@/lib/auth/policy';
import { ValidationError } from '@/lib/errors';
import { formatBytes, formatDuration, formatTimestamp } from '@/lib/format';
import { listRuns } from '@/lib/queries/list-runs';
import { listLedgerQueries } from '@/lib/queries/list-queries';
import { runParameterText } from '@/components/query/run-parameters';

export const metadata: Metadata = { title: 'Run history' };

const STATUS_TONE = { running: 'info', succeeded: 'success', failed: 'error', cancelled: 'warning' } as const;

export default async function RunsPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const ctx = await requirePage('/audit/runs', '/audit/runs');
  const search = await searchParams;
  const filter = Object.fromEntries(Object.entries(search).filter(([, v]) => v !== undefined && v !== ''));
  const queries = await listLedgerQueries(ctx);
  let result: Awaited<ReturnType<typeof listRuns>> = { runs: [], total: 0 };
  let error: string | null = null;
  try {
    result = await listRuns(ctx, filter);
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    error = e.message;
  }
  const everyone = can(ctx.actor, 'runs.view_all');
  const offset = Number(filter.offset ?? 0) || 0;
  const pageLink = (nextOffset: number) => `/audit/runs?${new URLSearchParams({ ...filter, offset: String(nextOffset) }).toString()}`;
  return (
    <>
      <PageHeader
        title="Run history"
        description={everyone ? 'Every saved-query run in this portal, kept indefinitely. Patient identifiers are masked.' : 'Your saved-query runs.'}
      />
      <form method="get" className="mb-6 grid gap-4 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-3 lg:grid-cols-6" aria-label="Filter runs">
        {everyone ? (
          <Field id="filter-user" label="User">
            <Input id="filter-user" name="user" defaultValue={filter.user ?? ''} placeholder="name or email" />
          </Field>
        ) : null}
        <Field id="filter-query" label="Query">
          <Select id="filter-query" name="queryId" defaultValue={filter.queryId ?? ''}>
            <option value="">Any</option>
            {queries.map((q) => (
              <option key={q.id} value={q.id}>
                {q.title}
              </option>
            ))}
          </Select>
        </Field>
        <Field id="filter-status" label="Status">
          <Select id="filter-status" name="status" defaultValue={filter.status ?? ''}>
            <option value="">Any</option>
            <option value="succeeded">Succeeded</option>
            <option value="failed">Failed</option>
            <option value="cancelled">Cancelled</option>
            <option value="running">Running</option>
          </Select>
        </Field>
        <Field id="filter-from" label="Started from">
          <Input id="filter-from" name="from" type="date" defaultValue={filter.from ?? ''} />
        </Field>
        <Field id="filter-to" label="Started to">
          <Input id="filter-to" name="to" type="date" defaultValue={filter.to ?? ''} />
        </Field>
        <div className="flex items-end">
          <Button type="submit" variant="secondary">
            Apply filters
          </Button>
        </div>
      </form>
      {error ? <Alert tone="error">{error}</Alert> : null}
      <div className="relative overflow-x-auto rounded-md border border-slate-200 bg-white">
        <table className="min-w-full divide-y divide-slate-200 text-sm">
          <caption className="sr-only">Query runs, newest first</caption>
          <thead className="bg-slate-50 text-left text-slate-700">
            <tr>
              <th scope="col" className="px-3 py-2 font-medium">Started (UTC)</th>
              <th scope="col" className="px-3 py-2 font-medium">Query</th>
              <th scope="col" className="px-3 py-2 font-medium">Parameters</th>
              <th scope="col" className="px-3 py-2 font-medium">By</th>
              <th scope="col" className="px-3 py-2 font-medium">Status</th>
              <th scope="col" className="px-3 py-2 text-right font-medium">Rows</th>
              <th scope="col" className="px-3 py-2 text-right font-medium">Scanned</th>
              <th scope="col" className="px-3 py-2 text-right font-medium">Duration</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {result.runs.map((run) => (
              <tr key={run.id} className="hover:bg-slate-50">
                <td className="whitespace-nowrap px-3 py-2">
                  <Link className="text-brand-700 underline" href={`/audit/runs/${run.id}`}>
                    {formatTimestamp(run.startedAt)}
                  </Link>
                </td>
                <td className="px-3 py-2">{run.queryTitle}</td>
                <td className="px-3 py-2 font-mono text-xs">
                  {runParameterText(run)}
                </td>
                <td className="px-3 py-2">{run.actorLabel}</td>
                <td className="px-3 py-2">
                  <Badge tone={STATUS_TONE[run.status]}>{run.status}</Badge>
                </td>
                <td className="tabular px-3 py-2 text-right">{run.rowCount?.toLocaleString('en-US') ?? '—'}</td>
                <td className="tabular px-3 py-2 text-right">{formatBytes(run.bytesScanned)}</td>
                <td className="tabular px-3 py-2 text-right">{formatDuration(run.durationMs)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {result.runs.length === 0 ? <p className="p-4 text-sm text-slate-600">No runs match.</p> : null}
      </div>
      <nav aria-label="Run history pages" className="mt-3 flex items-center justify-between text-sm text-slate-600">
        <span>{result.total.toLocaleString('en-US')} runs</span>
        <span className="flex gap-2">
          {offset > 0 ? <Link className="rounded border border-slate-300 bg-white px-3 py-1" href={pageLink(Math.max(0, offset - 50))}>Previous page</Link> : null}
          {offset + result.runs.length < result.total ? <Link className="rounded border border-slate-300 bg-white px-3 py-1" href={pageLink(offset + 50)}>Next page</Link> : null}
        </span>
      </nav>
    </>
  );
}
