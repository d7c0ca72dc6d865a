import 'server-only';
import { z } from 'zod';
import { authorize } from '@/lib/auth/authorize';
import type { Ctx } from '@/lib/context';
import { withTransaction } from '@/lib/db/tx';
import { DomainError, parseInput } from '@/lib/errors';
import { appendJournal } from '@/lib/journal/append';
import { runSavedQuery } from '@/lib/queries/run-saved-query';

// The patient view: the catalog's studies and the access history over a window, as two recorded
// runs (so the view is in the ledger like any report), opened by MRN and shown by run id — the
// MRN itself never appears in a URL, the ledger or the journal.

const required = { error: 'is required' };
export const OpenPatientInput = z.object({ mrn: z.string(required), from: z.string(required), to: z.string(required) });

export type PatientReportRef = { studiesRunId: string; accessRunId: string };

export async function openPatientReport(ctx: Ctx, raw: unknown): Promise<PatientReportRef> {
  await authorize(ctx, 'patient.read_phi', 'patients');
  const { mrn, from, to } = parseInput(OpenPatientInput, raw, { mrn: 'Patient MRN', from: 'From', to: 'To' });
  const accesses = await runSavedQuery(ctx, { queryId: 'patient-access-history', params: { patient: mrn, from, to } }, { wait: true });
  const studies = await runSavedQuery(ctx, { queryId: 'patient-studies', params: { patient: mrn } }, { wait: true });
  for (const run of [accesses, studies]) {
    if (run.status !== 'succeeded') throw new DomainError('precondition', run.error ?? `The ${run.queryTitle} query ${run.status}.`);
  }
  await withTransaction(ctx, (tx, txCtx) =>
    appendJournal(tx, txCtx, { action: 'patient.view', subject: accesses.id, details: { studiesRun: studies.id, from, to, patient: accesses.parameters.patient ?? '' } }),
  );
  return { studiesRunId: studies.id, accessRunId: accesses.id };
}

