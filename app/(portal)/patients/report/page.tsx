import type { Metadata } from 'next';
import Link from 'next/link';
import { AccessTimeline } from '@/components/charts/access-timeline';
import { ResultsTable } from '@/components/query/results-table';
import { Alert } from '@/components/ui/alert';
import { PageHeader, Section } from '@/components/ui/page-header';
import { requirePage } from '@/lib/web/guard';
import { pageData } from '@/lib/web/page-data';
import { getRunResults } from '@/lib/queries/get-run-results';
import { getPatientReport } from '@/lib/patients/get-patient-report';
import { ExportButtons } from '@/components/query/export-buttons';
import { exportRunAction } from '@/app/(portal)/audit/runs/[runId]/actions';

export const metadata: Metadata = { title: 'Patient view' };

export default async function PatientReportPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const search = await searchParams;
  const ctx = await requirePage('/patients/report', '/patients');
  if (!search.accesses || !search.studies) return <Alert tone="error">Open a patient from the Patients page.</Alert>;
  const report = await pageData(getPatientReport(ctx, { accessRunId: search.accesses, studiesRunId: search.studies }));
  const page = await pageData(getRunResults(ctx, report.accessRun.id, search));
  const base = `/patients/report?accesses=${report.accessRun.id}&studies=${report.studiesRun.id}`;
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/patients" className="text-brand-700 hover:underline">
          ← Patients
        </Link>
      </p>
      <PageHeader
        title={`Patient ${report.patient.reference}${report.patient.partial ? ` (MRN ${report.patient.partial})` : ''}`}
        description={
          report.window
            ? `${report.totals.accesses} accesses by ${report.totals.principals} principals from ${report.window.from} to ${report.window.to} (UTC)${report.totals.denied ? `, ${report.totals.denied} refused` : ''}.`
            : undefined
        }
        actions={
          <>
            <ExportButtons runId={report.accessRun.id} formats={['csv', 'fhir']} exportRun={exportRunAction} />
          </>
        }
      />
      <Section title="Studies" description={`${report.studies.rows.length} studies in the catalog.`}>
        <ResultsTable caption="The patient's studies" columns={report.studies.columns} rows={report.studies.rows} total={report.studies.rows.length} offset={0} limit={report.studies.rows.length} dir="asc" />
      </Section>
      <Section title="Accesses per day">
        <AccessTimeline data={report.timeline} label="Accesses to the patient's images per day" />
      </Section>
      <Section title="Access history" description={<Link className="text-brand-700 underline" href={`/audit/runs/${report.accessRun.id}`}>Open the recorded run (provenance, re-run, compare)</Link>}>
        <ResultsTable
          caption="Accesses to the patient's images"
          columns={page.columns}
          rows={page.rows}
          total={page.total}
          offset={page.offset}
          limit={page.limit}
          sort={search.sort}
          dir={search.dir === 'desc' ? 'desc' : 'asc'}
          baseHref={base}
        />
      </Section>
    </>
  );
}
