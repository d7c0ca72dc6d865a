import type { Metadata } from 'next';
import { PatientReport } from '@/components/patients/patient-report';
import { CoverageNotice } from '@/components/query/coverage-notice';
import { ExportButtons } from '@/components/query/export-buttons';
import { Alert } from '@/components/ui/alert';
import { requirePage } from '@/lib/web/guard';
import { pageData } from '@/lib/web/page-data';
import { describeResults } from '@/lib/queries/describe-results';
import { getRunResults } from '@/lib/queries/get-run-results';
import { getPatientReportAt } from '@/lib/patients/get-patient-report';
import { exportRunAction } from '@/app/(portal)/audit/runs/[runId]/actions';

export const metadata: Metadata = { title: 'Patient view' };

export default async function PatientReportPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const search = await searchParams;
  const ctx = await requirePage('/patients/report', '/patients');
  if (!search.view && (!search.accesses || !search.studies)) return <Alert tone="error">Open a patient from the Patients page.</Alert>;
  const report = await pageData(getPatientReportAt(ctx, search));
  const run = report.accessRun;
  const page = run ? await pageData(getRunResults(ctx, run.id, search)) : null;
  const view = run && page ? await describeResults(ctx, { queryId: run.queryId, parameters: run.parameters, columns: page.columns, rows: page.rows }) : null;
  const base = search.view
    ? `/patients/report?${new URLSearchParams({ view: search.view }).toString()}`
    : `/patients/report?${new URLSearchParams({ accesses: search.accesses ?? '', studies: search.studies ?? '' }).toString()}`;
  return (
    <PatientReport
      report={report}
      accesses={page && view ? { page, view, sort: page.columns.some((c) => c.name === search.sort) ? search.sort : undefined, dir: search.dir === 'desc' ? 'desc' : 'asc', baseHref: base } : null}
      actions={run ? <ExportButtons runId={run.id} formats={['csv', 'fhir']} exportRun={exportRunAction} /> : null}
      coverageNotice={run ? <CoverageNotice coverage={run.coverage} /> : null}
    />
  );
}
