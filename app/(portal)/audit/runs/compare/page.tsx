import type { Metadata } from 'next';
import Link from 'next/link';
import { Alert } from '@/components/ui/alert';
import { PageHeader, Section } from '@/components/ui/page-header';
import { ResultsTable } from '@/components/query/results-table';
import { BadRequest } from '@/components/shell/bad-request';
import { requirePage } from '@/lib/web/guard';
import { formatTimestamp } from '@/lib/format';
import { isDomainError } from '@/lib/errors';
import { pageData } from '@/lib/web/page-data';
import { compareRuns, type RunComparisonDto } from '@/lib/queries/compare-runs';
import { describeResults } from '@/lib/queries/describe-results';

export const metadata: Metadata = { title: 'Compare runs' };

const rows = (n: number) => `${n.toLocaleString('en-US')} ${n === 1 ? 'row' : 'rows'}`;

export default async function CompareRunsPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const { before, after } = await searchParams;
  const ctx = await requirePage('/audit/runs/compare', '/audit/runs/compare');
  if (!before || !after) {
    return <BadRequest problem="Choose two runs to compare from a run's page: it offers the earlier runs that asked the same question." />;
  }
  let c: RunComparisonDto;
  try {
    c = await pageData(compareRuns(ctx, before, after));
  } catch (error) {
    if (isDomainError(error) && (error.code === 'validation' || error.code === 'precondition')) return <BadRequest problem={error.message} />;
    throw error;
  }
  const changed = c.parameterChanges.length > 0;
  const { columns } = await describeResults(ctx, { queryId: c.after.queryId, parameters: c.after.parameters, columns: c.columns, rows: [] });
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href={`/audit/runs/${c.after.id}`} className="text-brand-700 hover:underline">
          ← Back to the run
        </Link>
      </p>
      <PageHeader
        title={`Did the answer change? — ${c.after.queryTitle}`}
        description={`Earlier run ${formatTimestamp(c.before.startedAt)} (${rows(c.before.rowCount ?? 0)}) compared with ${formatTimestamp(c.after.startedAt)} (${rows(c.after.rowCount ?? 0)}).`}
      />
      <div className="mb-6 flex flex-col gap-3">
        {changed ? (
          <Alert tone="warning" title="The two runs asked different questions">
            Their parameters differ, so different rows are expected and do not mean the answer changed:
            <ul className="mt-2 list-disc pl-5">
              {c.parameterChanges.map((p) => (
                <li key={p.name}>
                  <span className="font-medium">{p.name}</span>: {p.before ?? '(not set)'} → {p.after ?? '(not set)'}
                </li>
              ))}
            </ul>
          </Alert>
        ) : null}
        {c.sameResult ? (
          <Alert tone="success" title="Same answer">Both runs returned the same rows in the same order (identical result SHA-256).</Alert>
        ) : changed ? (
          <Alert tone="info" title={`${rows(c.added)} only in the later run, ${rows(c.removed)} only in the earlier one, ${rows(c.unchanged)} in both`}>
            Rows are compared whole.
          </Alert>
        ) : (
          <Alert tone={c.added || c.removed ? 'warning' : 'info'} title={`${rows(c.added)} added, ${rows(c.removed)} removed, ${rows(c.unchanged)} unchanged`}>
            Same query, same parameters: the logs read differ (late deliveries, compaction, a changed lake). Rows are compared whole; a row whose value changed counts as one removed and one added.
          </Alert>
        )}
      </div>
      {c.added > 0 ? (
        <Section title={changed ? 'Rows only in the later run' : 'Added rows'} description={c.added > c.addedSample.length ? `The first ${c.addedSample.length} of ${c.added}.` : undefined}>
          <ResultsTable caption="Rows only in the later run" columns={columns} rows={c.addedSample} total={c.addedSample.length} offset={0} limit={c.addedSample.length} dir="asc" />
        </Section>
      ) : null}
      {c.removed > 0 ? (
        <Section title={changed ? 'Rows only in the earlier run' : 'Removed rows'} description={c.removed > c.removedSample.length ? `The first ${c.removedSample.length} of ${c.removed}.` : undefined}>
          <ResultsTable caption="Rows only in the earlier run" columns={columns} rows={c.removedSample} total={c.removedSample.length} offset={0} limit={c.removedSample.length} dir="asc" />
        </Section>
      ) : null}
    </>
  );
}
