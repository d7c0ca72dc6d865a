import { BODY, heading, keyValueBlock, lines, MUTED, paragraph } from './blocks';
import { formatNumber } from './cells';
import { drawCoverPage } from './cover';
import { createReportDocument } from './document';
import { drawScopeSection } from './scope';
import { drawTable } from './table';
import { COLOR } from './theme';
import type { PatientAccessReportDto } from './types';

const plural = (n: number, one: string, many = `${one}s`) => `${formatNumber(n)} ${n === 1 ? one : many}`;

/** The patient access report: every recorded access to one patient's images in a window, by person. */
export async function renderPatientAccessReport(dto: PatientAccessReportDto): Promise<Buffer> {
  const window = dto.scope.window ? ` from ${dto.scope.window.from} to ${dto.scope.window.to}` : '';
  const r = createReportDocument(dto, { subject: `Patient access report for ${dto.patient.reference}${window} (evidence ${dto.evidenceId})`, keywords: [dto.patient.reference] });
  const patient = [{ label: 'Patient reference', value: dto.patient.reference, mono: true }];
  if (dto.patient.partial) patient.push({ label: 'Patient identifier (partial)', value: dto.patient.partial, mono: true });
  drawCoverPage(r, {
    answers: `Who accessed this patient’s images${window}, when, from where and doing what: every access the searched logs recorded to the patient’s studies, and a summary by person.`,
    audience: 'The privacy officer, to hand to the patient as an accounting of access to their images, or to an auditor.',
    facts: patient,
  });
  await drawScopeSection(r, dto.scope);

  heading(r, 'Patient');
  keyValueBlock(r, [
    ...patient,
    { label: 'Studies', value: plural(dto.studies.length, 'study', 'studies') },
    { label: 'People who accessed them', value: formatNumber(dto.people.length) },
  ]);
  await drawTable(
    r,
    [
      { label: 'Study Instance UID', kind: 'id' },
      { label: 'Accession number', kind: 'id' },
      { label: 'Modality', kind: 'text' },
      { label: 'Study date', kind: 'date' },
    ],
    dto.studies.map((s) => [s.studyInstanceUid, s.accessionNumber, s.modality, s.studyDate]),
    { title: 'Studies', empty: 'The catalog holds no studies for this patient.' },
  );

  await drawTable(
    r,
    [
      { label: 'Person', kind: 'text' },
      { label: 'Principal', kind: 'id' },
      { label: 'Role', kind: 'text' },
      { label: 'Accesses', kind: 'number' },
      { label: 'Studies', kind: 'number' },
      { label: 'First access', kind: 'time' },
      { label: 'Last access', kind: 'time' },
    ],
    dto.people.map((p) => [p.person, p.principal, p.role, p.accesses, p.studies, p.first, p.last]),
    { heading: 'Who accessed the images', title: 'Summary by person', empty: 'No access was recorded in the window.' },
  );

  const drawn = await drawTable(r, dto.accessColumns, dto.accesses, { heading: 'Every access', title: 'Accesses', empty: 'No access was recorded in the window.' });
  const expected = dto.people.reduce((sum, p) => sum + p.accesses, 0);
  if (drawn.rows !== expected) {
    lines(r, `This table lists ${plural(drawn.rows, 'access', 'accesses')}; the summary by person counts ${formatNumber(expected)}.`, { ...BODY, color: COLOR.warn });
  } else {
    lines(r, `${plural(drawn.rows, 'access', 'accesses')} in all.`, MUTED);
  }

  heading(r, 'Where the answer comes from', 2);
  paragraph(r, 'Two recorded query runs; their results, by SHA-256, are what this report shows.');
  keyValueBlock(r, [
    { label: 'Access run', value: dto.runs.accessRunId, mono: true },
    { label: 'Access result SHA-256', value: dto.runs.accessResultSha256, mono: true },
    { label: 'Studies run', value: dto.runs.studiesRunId, mono: true },
    { label: 'Studies result SHA-256', value: dto.runs.studiesResultSha256, mono: true },
  ]);
  return r.finish();
}
