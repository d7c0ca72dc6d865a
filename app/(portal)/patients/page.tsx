import type { Metadata } from 'next';
import { OpenByLinkForm } from '@/components/patients/open-by-link-form';
import { ParameterForm } from '@/components/query/parameter-form';
import { Alert } from '@/components/ui/alert';
import { PageHeader, Section } from '@/components/ui/page-header';
import { requirePage } from '@/lib/web/guard';
import { QueryLinks } from '@/components/query/query-links';
import { openPatientAction } from './actions';
import { getQueryForm } from '@/lib/queries/get-query-form';
import { listSectionQueries } from '@/lib/queries/list-section-queries';
import { getPatientLink } from '@/lib/patients/get-patient-link';

export const metadata: Metadata = { title: 'Patients' };

export default async function PatientsPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const { ref } = await searchParams;
  const ctx = await requirePage('/patients', '/patients');
  const form = await getQueryForm(ctx, 'patient-access-history');
  const related = (await listSectionQueries(ctx, 'patients')).filter((q) => q.id !== 'patient-access-history');
  // a result row's sealed link to a patient (?ref=…): the view opens by it, no MRN is asked for
  const link = ref ? await getPatientLink(ctx, ref) : null;
  const window = (name: string) => form.params.find((p) => p.name === name)?.defaultValue ?? '';
  return (
    <>
      <PageHeader
        title="Patients"
        description="Open one patient's view: their studies from the catalog and everyone who accessed their images over a window, on one page. The MRN is hashed before it reaches the query engine and is never stored or put in a link."
      />
      {link?.ok ? (
        <Section title={`Open the view of patient ${link.reference}`} description="The patient a result row named. Choose the window of accesses to show.">
          <OpenByLinkForm token={ref!} from={window('from')} to={window('to')} action={openPatientAction} />
        </Section>
      ) : link ? (
        <div className="mb-6">
          <Alert tone="warning" title={link.reason === 'expired' ? 'This link to a patient view has expired' : 'This link to a patient view is not valid for you'}>
            Links from result rows to a patient are made for the person who saw the result and last a few hours. Open the result again, or
            find the patient by MRN below.
          </Alert>
        </div>
      ) : null}
      <Section title="Find a patient">
        <ParameterForm params={form.params} action={openPatientAction} submitLabel="Open patient view" />
      </Section>
      <Section title="Other patient questions">
        <QueryLinks queries={related} empty="" />
      </Section>
    </>
  );
}
