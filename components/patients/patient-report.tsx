import Link from 'next/link';
import type { ReactNode } from 'react';
import { AccessTimeline } from '@/components/charts/access-timeline';
import { ResultsTable } from '@/components/query/results-table';
import { PageHeader, Section } from '@/components/ui/page-header';
import type { ResultPageDto } from '@/lib/queries/run-dto';
import type { ResultViewDto } from '@/lib/queries/describe-results';
import type { PatientReportDto } from '@/lib/patients/get-patient-report';
import { plural } from '@/lib/format';
import { MatchNotice } from './match-notice';
import { PeopleSummary } from './people-summary';

type Props = {
  report: PatientReportDto;
  /** The page of the access history shown, and how its table reads; null when no study matched. */
  accesses: { page: ResultPageDto; view: ResultViewDto; sort?: string; dir: 'asc' | 'desc'; baseHref: string } | null;
  /** Export buttons for the access history. */
  actions?: ReactNode;
  /** What the logs behind the access history cover of its window (gaps, days without logs); shown above everything else. */
  coverageNotice?: ReactNode;
};

function headline(report: PatientReportDto): string | undefined {
  const { totals, window } = report;
  if (!report.found || !window) return undefined;
  const refused = totals.denied ? `, ${plural(totals.denied, 'refused', 'refused')}` : '';
  return `${plural(totals.accesses, 'access', 'accesses')} by ${plural(totals.people, 'person', 'people')} from ${window.from} to ${window.to} (UTC)${refused}.`;
}

/** One patient's view: who accessed their images, when, from where — above the catalog's studies and every request. */
export function PatientReport({ report, accesses, actions, coverageNotice }: Props) {
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/patients" className="text-brand-700 hover:underline">
          ← Patients
        </Link>
      </p>
      <PageHeader
        title={`Patient ${report.patient.reference}${report.patient.partial && report.patient.partial !== '(hashed)' ? ` (MRN ${report.patient.partial})` : ''}`}
        description={headline(report)}
        actions={actions}
      />
      {coverageNotice ? <div className="mb-6">{coverageNotice}</div> : null}
      {report.found && report.match !== 'as-written' && report.match !== null ? (
        <div className="mb-6">
          <MatchNotice found match={report.match} tried={report.tried} />
        </div>
      ) : null}
      {!report.found ? (
        <div className="mb-6">
          <MatchNotice found={false} match={null} tried={report.tried} />
        </div>
      ) : null}
      {report.found && accesses ? (
        <>
          <Section
            title="Who accessed the images"
            description={
              report.people.length
                ? `${plural(report.people.length, 'person', 'people')}, most accesses first. Refused requests count as accesses and are marked.`
                : 'Studies found, no access in this window.'
            }
          >
            <PeopleSummary people={report.people} />
          </Section>
          <Section title="Accesses per day">
            <AccessTimeline data={report.timeline} label="Accesses to the patient's images per day" />
          </Section>
        </>
      ) : null}
      {report.found ? (
        <Section title="Studies" description={`${plural(report.studies.rows.length, 'study', 'studies')} in the catalog.`}>
          <ResultsTable
            caption="The patient's studies"
            columns={report.studies.columns}
            rows={report.studies.rows}
            total={report.studies.rows.length}
            offset={0}
            limit={report.studies.rows.length}
            dir="asc"
          />
        </Section>
      ) : null}
      {report.found && accesses && report.accessRun ? (
        <Section
          title="Access history"
          description={
            <Link className="text-brand-700 underline" href={`/audit/runs/${report.accessRun.id}`}>
              Open the recorded run (provenance, re-run, compare)
            </Link>
          }
        >
          <ResultsTable
            caption="Accesses to the patient's images"
            columns={accesses.view.columns}
            rows={accesses.page.rows}
            links={accesses.view.links}
            total={accesses.page.total}
            offset={accesses.page.offset}
            limit={accesses.page.limit}
            sort={accesses.sort}
            dir={accesses.dir}
            baseHref={accesses.baseHref}
          />
        </Section>
      ) : null}
    </>
  );
}
