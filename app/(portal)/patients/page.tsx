import type { Metadata } from 'next';
import { ParameterForm } from '@/components/query/parameter-form';
import { PageHeader, Section } from '@/components/ui/page-header';
import { requirePage } from '@/lib/web/guard';
import { QueryLinks } from '@/components/query/query-links';
import { openPatientAction } from './actions';
import { getQueryForm } from '@/lib/queries/get-query-form';
import { listSectionQueries } from '@/lib/queries/list-section-queries';

export const metadata: Metadata = { title: 'Patients' };

export default async function PatientsPage() {
  const ctx = await requirePage('/patients', '/patients');
  const form = await getQueryForm(ctx, 'patient-access-history');
  const related = (await listSectionQueries(ctx, 'patients')).filter((q) => q.id !== 'patient-access-history');
  return (
    <>
      <PageHeader
        title="Patients"
        description="Open one patient's view: their studies from the catalog and everyone who accessed their images over a window, on one page. The MRN is hashed before it reaches the query engine and is never stored or put in a link."
      />
      <Section title="Find a patient">
        <ParameterForm params={form.params} action={openPatientAction} submitLabel="Open patient view" />
      </Section>
      <Section title="Other patient questions">
        <QueryLinks queries={related} empty="" />
      </Section>
    </>
  );
}
