import type { Metadata } from 'next';
import Link from 'next/link';
import { Alert } from '@/components/ui/alert';
import { PageHeader, Section } from '@/components/ui/page-header';
import { ResultsTable } from '@/components/query/results-table';
import { requirePage } from '@/lib/web/guard';
import { formatTimestamp } from '@/lib/format';
import { pageData } from '@/lib/web/page-data';
import { compareRuns } from '@/lib/queries/compare-runs';

export const metadata: Metadata = { title: 'Compare runs' };

export default async function CompareRunsPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const { before, after } = await searchParams;
  const ctx = await requirePage('/audit/runs/compare', '/audit/runs/compare');
  if (!before || !after) {
    return <Alert tone="error">Choose two runs to compare from a run&apos;s page.</Alert>;
  }
  const c = await pageData(compareRuns(ctx, before, after));
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href={`/audit/runs/${c.after.id}`} className="text-brand-700 hover:underline">
          ← Back to the run
        </Link>
      </p>
      <PageHeader
        title={`Did the answer change? — ${c.after.queryTitle}`}
        description={`Earlier run ${formatTimestamp(c.before.startedAt)} (${c.before.rowCount ?? 0} rows) compared with ${formatTimestamp(c.after.startedAt)} (${c.after.rowCount ?? 0} rows).`}
      />
      <div className="mb-6">
        {c.sameResult ? (
          <Alert tone="success" title="Same answer">Both runs returned the same rows in the same order (identical result SHA-256).</Alert>
        ) : (
          <Alert tone={c.added || c.removed ? 'warning' : 'info'} title={`${c.added} rows added, ${c.removed} rows removed, ${c.unchanged} unchanged`}>
            Rows are compared whole; a row whose value changed counts as one removed and one added.
          </Alert>
        )}
      </div>
      {c.added > 0 ? (
        <Section title="Added rows" description={c.added > c.addedSample.length ? `The first ${c.addedSample.length} of ${c.added}.` : undefined}>
          <ResultsTable caption="Rows only in the later run" columns={c.columns} rows={c.addedSample} total={c.addedSample.length} offset={0} limit={c.addedSample.length} dir="asc" />
        </Section>
      ) : null}
      {c.removed > 0 ? (
        <Section title="Removed rows" description={c.removed > c.removedSample.length ? `The first ${c.removedSample.length} of ${c.removed}.` : undefined}>
          <ResultsTable caption="Rows only in the earlier run" columns={c.columns} rows={c.removedSample} total={c.removedSample.length} offset={0} limit={c.removedSample.length} dir="asc" />
        </Section>
      ) : null}
    </>
  );
}
