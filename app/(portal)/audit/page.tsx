import type { Metadata } from 'next';
import Link from 'next/link';
import { LinkButton } from '@/components/ui/button';
import { PageHeader } from '@/components/ui/page-header';
import { requirePage } from '@/lib/web/guard';
import { listAuditQueries } from '@/lib/queries/list-section-queries';

export const metadata: Metadata = { title: 'Audit' };

export default async function AuditPage() {
  const ctx = await requirePage('/audit', '/audit');
  const queries = await listAuditQueries(ctx);
  return (
    <>
      <PageHeader
        title="Audit"
        description="Saved, reviewed questions over the archive's logs. Every run is recorded with its parameters, the exact SQL and a hash of its result."
        actions={<LinkButton href="/audit/runs">Run history</LinkButton>}
      />
      <ul className="grid gap-4 md:grid-cols-2">
        {queries.map((q) => (
          <li key={q.id} className="flex flex-col rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
            <h2 className="text-base font-semibold">
              <Link href={`/audit/${q.id}`} className="text-brand-700 hover:underline">
                {q.title}
              </Link>
            </h2>
            <p className="mt-1 line-clamp-4 flex-1 text-sm text-slate-600">{q.description}</p>
          </li>
        ))}
      </ul>
      {queries.length === 0 ? <p className="text-sm text-slate-600">No saved query is available to your role.</p> : null}
    </>
  );
}
