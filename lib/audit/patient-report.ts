import 'server-only';
import { z } from 'zod';
import { authorize } from '@/lib/auth/authorize';
import type { Ctx } from '@/lib/context';
import { withTransaction } from '@/lib/db/tx';
import type { Cell, EngineColumn } from '@/lib/engine/port';
import { DomainError, ValidationError } from '@/lib/errors';
import { appendJournal } from '@/lib/journal/append';
import { toRunDto, type RunDto } from '@/lib/queries/dto';
import { loadVisibleRun, requireResultAccess } from '@/lib/queries/ledger';
import { runSavedQuery } from '@/lib/queries/run-saved-query';

// The patient view: the catalog's studies and the access history over a window, as two recorded
// runs (so the view is in the ledger like any report), opened by MRN and shown by run id — the
// MRN itself never appears in a URL, the ledger or the journal.

export const OpenPatientInput = z.object({ mrn: z.string(), from: z.string(), to: z.string() });

export type PatientReportRef = { studiesRunId: string; accessRunId: string };

export async function openPatientReport(ctx: Ctx, raw: unknown): Promise<PatientReportRef> {
  await authorize(ctx, 'patient.read_phi', 'patients');
  const parsed = OpenPatientInput.safeParse(raw);
  if (!parsed.success) throw new ValidationError('Patient MRN, From and To are required.', { mrn: 'is required' });
  const { mrn, from, to } = parsed.data;
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

export type TimelinePoint = { day: string; healthimaging: number; s3: number; denied: number };

export type PatientReportDto = {
  patient: string;
  window: { from: string; to: string } | null;
  studiesRun: RunDto;
  accessRun: RunDto;
  studies: { columns: EngineColumn[]; rows: Cell[][] };
  timeline: TimelinePoint[];
  totals: { accesses: number; principals: number; denied: number };
};

/** Both runs must be the viewer's patient-view pair for the same patient. */
export async function getPatientReport(ctx: Ctx, ref: PatientReportRef): Promise<PatientReportDto> {
  await authorize(ctx, 'patient.read_phi', 'patients');
  const accessRun = await loadVisibleRun(ctx, ref.accessRunId);
  const studiesRun = await loadVisibleRun(ctx, ref.studiesRunId);
  if (accessRun.queryId !== 'patient-access-history' || studiesRun.queryId !== 'patient-studies' || accessRun.binds.patient !== studiesRun.binds.patient) {
    throw new DomainError('not_found', 'This patient view was not found.');
  }
  await requireResultAccess(ctx, accessRun);
  await requireResultAccess(ctx, studiesRun);
  const { results } = ctx.services;
  const studyColumns = await results.columns(studiesRun.id);
  const studyRows: Cell[][] = [];
  for await (const row of results.rows(studiesRun.id)) studyRows.push(row);

  const columns = await results.columns(accessRun.id);
  const at = (name: string) => columns.findIndex((c) => c.name === name);
  const [iTime, iSource, iOutcome, iPrincipal] = [at('event_time'), at('source'), at('outcome'), at('principal')];
  const days = new Map<string, TimelinePoint>();
  const principals = new Set<string>();
  let accesses = 0;
  let denied = 0;
  for await (const row of results.rows(accessRun.id)) {
    const day = String(row[iTime]).slice(0, 10);
    const point = days.get(day) ?? { day, healthimaging: 0, s3: 0, denied: 0 };
    if (row[iOutcome] !== 'success') {
      point.denied++;
      denied++;
    } else if (row[iSource] === 's3') point.s3++;
    else point.healthimaging++;
    days.set(day, point);
    principals.add(String(row[iPrincipal]));
    accesses++;
  }
  const window = accessRun.scopeFrom && accessRun.scopeTo ? { from: accessRun.scopeFrom, to: accessRun.scopeTo } : null;
  const timeline: TimelinePoint[] = [];
  if (window) {
    for (let t = Date.parse(`${window.from}T00:00:00Z`); t <= Date.parse(`${window.to}T00:00:00Z`); t += 86_400_000) {
      const day = new Date(t).toISOString().slice(0, 10);
      timeline.push(days.get(day) ?? { day, healthimaging: 0, s3: 0, denied: 0 });
    }
  }
  return {
    patient: accessRun.parameters.patient ?? '',
    window,
    studiesRun: toRunDto(studiesRun),
    accessRun: toRunDto(accessRun),
    studies: { columns: studyColumns, rows: studyRows },
    timeline,
    totals: { accesses, principals: principals.size, denied },
  };
}
