import 'server-only';
import { authorize } from '@/lib/auth/authorize';
import type { Ctx } from '@/lib/context';
import { DomainError, parseInput } from '@/lib/errors';
import { findQuery } from '@/lib/queries/registry';
import { loadVisibleRun, requireResultAccess } from '@/lib/queries/visible-run';
import { RunReportInput } from './export-run-report';
import { issueEvidence, type IssuedEvidence } from './issue';
import { ACCESS_QUERY, findStudiesRun, patientAccessReportDto } from './patient-report-data';
import { renderPatientAccessReport } from './render';
import { assertStoredResult, windowOf } from './run-report-data';

/**
 * The signed patient access report of a patient's access-history run, for people who may read PHI:
 * the accounting a privacy officer hands to the patient or to an auditor. The catalog's studies come
 * from the same patient's studies run (the patient view makes both).
 */
export async function exportPatientReport(ctx: Ctx, raw: unknown): Promise<IssuedEvidence> {
  await authorize(ctx, 'patient.read_phi', 'evidence:patient-report');
  const { runId } = parseInput(RunReportInput, raw, { runId: 'Run' });
  const access = await loadVisibleRun(ctx, runId);
  if (access.queryId !== ACCESS_QUERY) {
    throw new DomainError('validation', `Run: a patient access report is made from a “Patient access history” run; this run is of “${access.queryTitle}”.`);
  }
  await requireResultAccess(ctx, access);
  const studies = await findStudiesRun(ctx, access);
  if (!studies) {
    throw new DomainError('precondition', 'No stored “Patient studies” run of the same patient was found: open the patient from Patients (which runs both), then make the report from that view’s access run.');
  }
  await requireResultAccess(ctx, studies);
  await assertStoredResult(ctx, access);
  await assertStoredResult(ctx, studies);
  const query = findQuery(access.queryId)!;
  const patient = access.parameters.patient ?? '';
  return issueEvidence(ctx, {
    kind: 'patient-access',
    title: 'Patient access report',
    subject: { type: 'patient', patient, accessRunId: access.id, studiesRunId: studies.id },
    subjectRef: patient,
    window: windowOf(access),
    reason: `Custos patient access report for ${patient}`,
    render: async (header) => renderPatientAccessReport(await patientAccessReportDto(ctx, query, { access, studies }, header)),
  });
}
