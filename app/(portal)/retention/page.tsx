import type { Metadata } from 'next';
import { QueryLinks } from '@/components/query/query-links';
import { PageHeader, Section } from '@/components/ui/page-header';
import { requirePage } from '@/lib/web/guard';
import { listSectionQueries } from '@/lib/queries/list-section-queries';

export const metadata: Metadata = { title: 'Retention' };

export default async function RetentionPage() {
  const ctx = await requirePage('/retention', '/retention');
  const queries = await listSectionQueries(ctx, 'retention');
  return (
    <>
      <PageHeader
        title="Retention"
        description="Studies past their legal retention and not on hold. Deletion is never an S3 lifecycle rule here: it is a dual-approved request that freezes the exact objects to destroy."
      />
      <Section title="Candidates">
        <QueryLinks queries={queries} empty="Your role sees retention requests, not the candidate search." />
      </Section>
    </>
  );
}
