import type { Metadata } from 'next';
import { LinkButton } from '@/components/ui/button';
import { PageHeader, Section } from '@/components/ui/page-header';
import { requirePage } from '@/lib/web/guard';
import { can } from '@/lib/auth/policy';

export const metadata: Metadata = { title: 'Evidence' };

export default async function EvidencePage() {
  const ctx = await requirePage('/evidence', '/evidence');
  return (
    <>
      <PageHeader title="Evidence" description="Exports of recorded runs: each carries the query's SQL hash, its parameters and the SHA-256 of its result, so an auditor can check it against the run ledger." />
      <Section title="Exports">
        <p className="text-sm text-slate-600">Every succeeded run can be downloaded as CSV or JSON from its page in the run history; each download is recorded in the journal.</p>
        {can(ctx.actor, 'query.use') ? (
          <div className="mt-4">
            <LinkButton href="/audit/runs">Open the run history</LinkButton>
          </div>
        ) : null}
      </Section>
    </>
  );
}
