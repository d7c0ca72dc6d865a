import type { Metadata } from 'next';
import { QueryLinks } from '@/components/query/query-links';
import { PageHeader, Section } from '@/components/ui/page-header';
import { requirePage } from '@/lib/web/guard';
import { listSectionQueries } from '@/lib/queries/list-section-queries';

export const metadata: Metadata = { title: 'Posture' };

export default async function PosturePage() {
  const ctx = await requirePage('/posture', '/posture');
  const queries = await listSectionQueries(ctx, 'posture');
  return (
    <>
      <PageHeader title="Posture" description="Storage tiers, KMS Decrypt access-denied spikes and trail health, from the same saved queries as the Audit library — aggregates without patient identifiers." />
      <Section title="Posture questions">
        <QueryLinks queries={queries} empty="No posture query is available to your role." />
      </Section>
    </>
  );
}
