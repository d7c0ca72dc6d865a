import type { Metadata } from 'next';
import Link from 'next/link';
import { VerifyJournal } from '@/components/admin/verify-journal';
import { PageHeader, Section } from '@/components/ui/page-header';
import { requirePage } from '@/lib/web/guard';
import { formatTimestamp } from '@/lib/format';
import { compactLakeAction, verifyJournalAction } from './actions';
import { CompactLake } from '@/components/admin/compact-lake';
import { can } from '@/lib/auth/policy';
import { checkConnections } from '@/lib/admin/check-connections';
import { Badge } from '@/components/ui/alert';
import { listJournal } from '@/lib/admin/list-journal';
import { listQueriesFor } from '@/lib/queries/list-queries';
import { QueryLinks } from '@/components/query/query-links';

export const metadata: Metadata = { title: 'Admin' };

export default async function AdminPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const ctx = await requirePage('/admin', '/admin');
  const search = await searchParams;
  const offset = Math.max(0, Number(search.offset ?? 0) || 0);
  const { entries, total } = await listJournal(ctx, { offset, limit: 50, ...(search.action ? { action: search.action } : {}) });
  const connections = can(ctx.actor, 'admin.view') ? await checkConnections(ctx) : null;
  // roles without the query library (the administrator) find the queries they may run here
  const runnable = can(ctx.actor, 'audit.view') ? [] : await listQueriesFor(ctx);
  return (
    <>
      <PageHeader
        title="Admin"
        description="The portal's own audit journal: append-only, every entry hash-chained to the previous one. Verification recomputes the whole chain and names the first entry that does not match."
      />
      {connections ? (
        <Section title="Connections" description={`Query engine: ${connections.engine}; portal database: ${connections.database}.`}>
          <ul className="flex flex-col gap-2 text-sm">
            {connections.checks.map((c) => (
              <li key={c.item} className="flex items-start gap-3">
                <Badge tone={c.ok ? (c.warning ? 'warning' : 'success') : 'error'}>{c.ok ? (c.warning ? 'warning' : 'ok') : 'missing'}</Badge>
                <span>
                  <span className="font-medium">{c.item}</span> — {c.message}
                </span>
              </li>
            ))}
          </ul>
          {connections.engine === 'duckdb' ? <CompactLake action={compactLakeAction} /> : null}
        </Section>
      ) : null}
      {runnable.length > 0 ? (
        <Section title="Saved queries your role may run" description="Aggregates without patient identifiers; each run is recorded in the ledger and the journal.">
          <QueryLinks queries={runnable} empty="" />
        </Section>
      ) : null}
      <Section title="Verify">
        <VerifyJournal action={verifyJournalAction} />
      </Section>
      <Section title="Journal" description={`${total.toLocaleString('en-US')} entries, newest first.`}>
        <div className="relative overflow-x-auto">
          <table className="min-w-full divide-y divide-slate-200 text-sm">
            <caption className="sr-only">Journal entries, newest first</caption>
            <thead className="bg-slate-50 text-left text-slate-700">
              <tr>
                <th scope="col" className="px-3 py-2 font-medium">#</th>
                <th scope="col" className="px-3 py-2 font-medium">At (UTC)</th>
                <th scope="col" className="px-3 py-2 font-medium">Actor</th>
                <th scope="col" className="px-3 py-2 font-medium">Action</th>
                <th scope="col" className="px-3 py-2 font-medium">Subject</th>
                <th scope="col" className="px-3 py-2 font-medium">Details</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {entries.map((e) => (
                <tr key={e.seq}>
                  <td className="tabular px-3 py-1.5">{e.seq}</td>
                  <td className="whitespace-nowrap px-3 py-1.5">{formatTimestamp(e.at)}</td>
                  <td className="px-3 py-1.5">{e.actor}</td>
                  <td className="px-3 py-1.5 font-mono text-xs">{e.action}</td>
                  <td className="max-w-xs truncate px-3 py-1.5 font-mono text-xs">{e.subject ?? ''}</td>
                  <td className="max-w-md truncate px-3 py-1.5 font-mono text-xs" title={JSON.stringify(e.details)}>
                    {JSON.stringify(e.details)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <nav aria-label="Journal pages" className="mt-3 flex gap-2 text-sm">
          {offset > 0 ? <Link className="rounded border border-slate-300 px-3 py-1" href={`/admin?offset=${Math.max(0, offset - 50)}`}>Newer entries</Link> : null}
          {offset + entries.length < total ? <Link className="rounded border border-slate-300 px-3 py-1" href={`/admin?offset=${offset + 50}`}>Older entries</Link> : null}
        </nav>
      </Section>
    </>
  );
}
