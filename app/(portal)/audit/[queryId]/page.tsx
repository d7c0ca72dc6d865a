import type { Metadata } from 'next';
import Link from 'next/link';
import { ParameterForm } from '@/components/query/parameter-form';
import { PageHeader, Section } from '@/components/ui/page-header';
import { requirePage } from '@/lib/web/guard';
import { pageData } from '@/lib/web/page-data';
import { estimateQueryAction, runQueryAction } from './actions';
import { getQueryForm } from '@/lib/queries/get-query-form';
import { queryBackLink } from '@/lib/auth/navigation';

export const metadata: Metadata = { title: 'Run a saved query' };

export default async function QueryPage({
  params,
  searchParams,
}: {
  params: Promise<{ queryId: string }>;
  searchParams: Promise<Record<string, string | undefined>>;
}) {
  const { queryId } = await params;
  const initial = await searchParams;
  const ctx = await requirePage('/audit/[queryId]', `/audit/${queryId}`);
  const query = await pageData(getQueryForm(ctx, queryId));
  const back = queryBackLink(ctx.actor);
  const initialValues: Record<string, string> = {};
  // a patient identifier is never taken from the address (it would sit in browser history and logs)
  for (const p of query.params) if (!p.phi && typeof initial[p.name] === 'string') initialValues[p.name] = initial[p.name]!;
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href={back.href} className="text-brand-700 hover:underline">
          ← {back.label}
        </Link>
      </p>
      <PageHeader title={query.title} description={query.description} />
      <Section title="Parameters" description={query.range ? `Dates are UTC days, both ends included; at most ${query.range.maxDays} days per run.` : undefined}>
        <ParameterForm
          params={query.params}
          action={runQueryAction.bind(null, query.id)}
          estimate={estimateQueryAction.bind(null, query.id)}
          initialValues={initialValues}
        />
      </Section>
      <Section title="What the result contains">
        <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[max-content_1fr]">
          {query.columns.map((c) => (
            <div key={c.name} className="contents">
              <dt className="text-slate-800">
                {c.label} <span className="font-mono text-xs text-slate-500">{c.name}</span>
              </dt>
              <dd className="text-slate-600">{c.description}</dd>
            </div>
          ))}
        </dl>
        {query.limits ? <p className="mt-4 text-sm text-slate-600"><span className="font-medium text-slate-800">What this does not prove: </span>{query.limits}</p> : null}
        <p className="mt-4 font-mono text-xs text-slate-500">SQL SHA-256 {query.sqlSha256}</p>
      </Section>
    </>
  );
}
