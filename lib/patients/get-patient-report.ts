import 'server-only';
import { actorId } from '@/lib/actor';
import type { QueryRunRow } from '@/lib/db/schema';
import { withTransaction } from '@/lib/db/tx';
import { appendJournal } from '@/lib/journal/append';
import { authorize } from '@/lib/auth/authorize';
import type { Ctx } from '@/lib/context';
import { daysBetween } from '@/lib/days';
import type { Cell, EngineColumn } from '@/lib/engine/port';
import { DomainError } from '@/lib/errors';
import { toRunDto, type RunDto } from '@/lib/queries/run-dto';
import { ledgerParams } from '@/lib/queries/sealed-params';
import { loadVisibleRun, requireResultAccess } from '@/lib/queries/visible-run';
import type { PatientReportRef } from './open-patient-report';

export type TimelinePoint = { day: string; healthimaging: number; s3: number; denied: number };

export type PatientReportDto = {
  /** The patient's opaque reference, and the partial MRN for people who may read PHI. */
  patient: { reference: string; partial: string | null };
  window: { from: string; to: string } | null;
  studiesRun: RunDto;
  accessRun: RunDto;
  studies: { columns: EngineColumn[]; rows: Cell[][] };
  timeline: TimelinePoint[];
  totals: { accesses: number; principals: number; denied: number };
};

// Reading another officer's patient view discloses its rows anew: each of the two runs is journaled,
// as any read of someone else's result is; the owner's reads are covered by the runs' own entries.
async function journalOthersReads(ctx: Ctx, runs: QueryRunRow[]): Promise<void> {
  const others = runs.filter((r) => r.actorId !== actorId(ctx.actor));
  if (!others.length) return;
  await withTransaction(ctx, async (tx, txCtx) => {
    for (const r of others) await appendJournal(tx, txCtx, { action: 'query.view_results', subject: r.id, details: { queryId: r.queryId, offset: 0, rows: r.rowCount ?? 0 } });
  });
}

/** Both runs must be the viewer's patient-view pair for the same patient. */
export async function getPatientReport(ctx: Ctx, ref: PatientReportRef): Promise<PatientReportDto> {
  await authorize(ctx, 'patient.read_phi', 'patients');
  const accessRun = await loadVisibleRun(ctx, ref.accessRunId);
  const studiesRun = await loadVisibleRun(ctx, ref.studiesRunId);
  if (accessRun.queryId !== 'patient-access-history' || studiesRun.queryId !== 'patient-studies' || ledgerParams(ctx.services.keys, accessRun).patient !== ledgerParams(ctx.services.keys, studiesRun).patient) {
    throw new DomainError('not_found', 'This patient view was not found.');
  }
  await requireResultAccess(ctx, accessRun);
  await requireResultAccess(ctx, studiesRun);
  await journalOthersReads(ctx, [accessRun, studiesRun]);
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
    for (const day of daysBetween(window.from, window.to)) timeline.push(days.get(day) ?? { day, healthimaging: 0, s3: 0, denied: 0 });
  }
  return {
    patient: { reference: accessRun.parameters.patient ?? '', partial: toRunDto(ctx, accessRun).phiParameters?.patient ?? null },
    window,
    studiesRun: toRunDto(ctx, studiesRun),
    accessRun: toRunDto(ctx, accessRun),
    studies: { columns: studyColumns, rows: studyRows },
    timeline,
    totals: { accesses, principals: principals.size, denied },
  };
}
