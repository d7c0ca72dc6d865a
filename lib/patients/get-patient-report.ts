import 'server-only';
import { z } from 'zod';
import { actorId } from '@/lib/actor';
import type { QueryRunRow } from '@/lib/db/schema';
import { withTransaction } from '@/lib/db/tx';
import { appendJournal } from '@/lib/journal/append';
import { authorize } from '@/lib/auth/authorize';
import type { Ctx } from '@/lib/context';
import { daysBetween } from '@/lib/days';
import type { Cell } from '@/lib/engine/port';
import { DomainError } from '@/lib/errors';
import { CANARY_ACCESSION } from '@/lib/lake/catalog-canary';
import { describeColumns, type ResultColumn } from '@/lib/queries/columns';
import { findQuery } from '@/lib/queries/registry';
import { toRunDto, type RunDto } from '@/lib/queries/run-dto';
import { ledgerParams } from '@/lib/queries/sealed-params';
import { loadVisibleRun, requireResultAccess } from '@/lib/queries/visible-run';
import { openPatientView, type PatientMatch, type PatientReportRef } from './patient-view';

export type TimelinePoint = { day: string; healthimaging: number; s3: number; denied: number };

/** One person's accesses to the patient's images in the window. */
export type PersonSummary = {
  /** The session name behind a role (e.g. an e-mail), else the principal. */
  person: string;
  principals: string[];
  roles: string[];
  accesses: number;
  denied: number;
  /** First and last access (ISO 8601 UTC). */
  first: string;
  last: string;
  studies: { studyInstanceUid: string; accessionNumber: string | null }[];
};

export type PatientReportDto = {
  /** The patient's opaque reference, and the partial MRN for people who may read PHI. */
  patient: { reference: string; partial: string | null };
  /** Whether the catalog holds a study of this patient (the canary row aside). */
  found: boolean;
  /** How the patient was found, and the ways of reading the MRN tried (the last one matched, if any did). */
  match: PatientMatch | null;
  tried: PatientMatch[];
  window: { from: string; to: string } | null;
  studiesRun: RunDto;
  /** null when no study matched: no access history was run. */
  accessRun: RunDto | null;
  studies: { columns: ResultColumn[]; rows: Cell[][] };
  /** The access history's columns in reading order (time, person, action, study, outcome, source first). */
  accessColumns: ResultColumn[];
  timeline: TimelinePoint[];
  /** Who accessed the images, most accesses first. */
  people: PersonSummary[];
  totals: { accesses: number; principals: number; people: number; denied: number };
};

const PageRef = z.union([
  z.object({ view: z.string().min(1) }),
  z.object({ accesses: z.string().uuid(), studies: z.string().uuid() }),
]);

/** The view a report address names: a sealed `view` token, or (older addresses) its two run ids. */
export function patientReportRef(ctx: Ctx, search: Record<string, string | undefined>): PatientReportRef {
  const parsed = PageRef.safeParse(search);
  if (!parsed.success) throw new DomainError('not_found', 'This patient view was not found. Open a patient from the Patients page.');
  if ('view' in parsed.data) return openPatientView(ctx.services.keys, parsed.data.view);
  return { accessRunId: parsed.data.accesses, studiesRunId: parsed.data.studies };
}

// Reading another officer's patient view discloses its rows anew: each of its runs is journaled,
// as any read of someone else's result is; the owner's reads are covered by the runs' own entries.
async function journalOthersReads(ctx: Ctx, runs: QueryRunRow[]): Promise<void> {
  const others = runs.filter((r) => r.actorId !== actorId(ctx.actor));
  if (!others.length) return;
  await withTransaction(ctx, async (tx, txCtx) => {
    for (const r of others) await appendJournal(tx, txCtx, { action: 'query.view_results', subject: r.id, details: { queryId: r.queryId, offset: 0, rows: r.rowCount ?? 0 } });
  });
}

const ROLE_SESSION = /^arn:[^:]+:sts::[^:]*:assumed-role\/([^/]+)\/(.+)$/;

/** The runs must be the viewer's patient-view pair for the same patient (or a studies run alone, when nothing matched). */
export async function getPatientReport(ctx: Ctx, ref: PatientReportRef): Promise<PatientReportDto> {
  await authorize(ctx, 'patient.read_phi', 'patients');
  const studiesRun = await loadVisibleRun(ctx, ref.studiesRunId);
  const accessRun = ref.accessRunId ? await loadVisibleRun(ctx, ref.accessRunId) : null;
  const { keys } = ctx.services;
  if (
    studiesRun.queryId !== 'patient-studies' ||
    (accessRun && (accessRun.queryId !== 'patient-access-history' || ledgerParams(keys, accessRun).patient !== ledgerParams(keys, studiesRun).patient))
  ) {
    throw new DomainError('not_found', 'This patient view was not found.');
  }
  await requireResultAccess(ctx, studiesRun);
  if (accessRun) await requireResultAccess(ctx, accessRun);
  await journalOthersReads(ctx, accessRun ? [accessRun, studiesRun] : [studiesRun]);
  const { results } = ctx.services;

  const studyEngineColumns = await results.columns(studiesRun.id);
  const iAccession = studyEngineColumns.findIndex((c) => c.name === 'accession_number');
  const studyRows: Cell[][] = [];
  // the catalog's canary row checks the MRN key; it is no one's study
  for await (const row of results.rows(studiesRun.id)) if (row[iAccession] !== CANARY_ACCESSION) studyRows.push(row);

  const columns = accessRun ? await results.columns(accessRun.id) : [];
  const at = (name: string) => columns.findIndex((c) => c.name === name);
  const [iTime, iSource, iOutcome, iPrincipal, iPerson, iRole, iStudy, iStudyAccession] = [
    at('event_time'), at('source'), at('outcome'), at('principal'), at('federated_user'), at('role'), at('study_instance_uid'), at('accession_number'),
  ];
  const days = new Map<string, TimelinePoint>();
  const principals = new Set<string>();
  const people = new Map<string, PersonSummary & { studyMap: Map<string, string | null> }>();
  let accesses = 0;
  let denied = 0;
  if (accessRun) {
    for await (const row of results.rows(accessRun.id)) {
      const time = String(row[iTime]);
      const day = time.slice(0, 10);
      const point = days.get(day) ?? { day, healthimaging: 0, s3: 0, denied: 0 };
      const refused = row[iOutcome] !== 'success';
      if (refused) {
        point.denied++;
        denied++;
      } else if (row[iSource] === 's3') point.s3++;
      else point.healthimaging++;
      days.set(day, point);
      const principal = String(row[iPrincipal] ?? '-');
      principals.add(principal);
      accesses++;

      const session = ROLE_SESSION.exec(principal);
      const person = typeof row[iPerson] === 'string' && row[iPerson] ? String(row[iPerson]) : (session?.[2] ?? principal);
      let p = people.get(person);
      if (!p) people.set(person, (p = { person, principals: [], roles: [], accesses: 0, denied: 0, first: time, last: time, studies: [], studyMap: new Map() }));
      if (!p.principals.includes(principal)) p.principals.push(principal);
      const role = typeof row[iRole] === 'string' && row[iRole] ? String(row[iRole]) : session?.[1];
      if (role && !p.roles.includes(role)) p.roles.push(role);
      p.accesses++;
      if (refused) p.denied++;
      if (time < p.first) p.first = time;
      if (time > p.last) p.last = time;
      const uid = row[iStudy];
      if (typeof uid === 'string' && !p.studyMap.has(uid)) p.studyMap.set(uid, typeof row[iStudyAccession] === 'string' ? String(row[iStudyAccession]) : null);
    }
  }
  const window = accessRun?.scopeFrom && accessRun.scopeTo ? { from: accessRun.scopeFrom, to: accessRun.scopeTo } : null;
  const timeline: TimelinePoint[] = [];
  if (window) {
    for (const day of daysBetween(window.from, window.to)) timeline.push(days.get(day) ?? { day, healthimaging: 0, s3: 0, denied: 0 });
  }
  const summaries: PersonSummary[] = [...people.values()]
    .map(({ studyMap, ...p }) => ({ ...p, studies: [...studyMap.entries()].map(([studyInstanceUid, accessionNumber]) => ({ studyInstanceUid, accessionNumber })) }))
    .sort((a, b) => b.accesses - a.accesses || (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  const named = accessRun ?? studiesRun;
  return {
    patient: { reference: named.parameters.patient ?? '', partial: toRunDto(ctx, named).phiParameters?.patient ?? null },
    found: studyRows.length > 0,
    match: ref.match ?? null,
    tried: ref.tried ?? [],
    window,
    studiesRun: toRunDto(ctx, studiesRun),
    accessRun: accessRun ? toRunDto(ctx, accessRun) : null,
    studies: { columns: describeColumns(findQuery('patient-studies')?.columns, studyEngineColumns), rows: studyRows },
    accessColumns: describeColumns(findQuery('patient-access-history')?.columns, columns),
    timeline,
    people: summaries,
    totals: { accesses, principals: principals.size, people: summaries.length, denied },
  };
}

/** The report a page address names (`view`, or an older address's two run ids). */
export async function getPatientReportAt(ctx: Ctx, search: Record<string, string | undefined>): Promise<PatientReportDto> {
  await authorize(ctx, 'patient.read_phi', 'patients');
  return getPatientReport(ctx, patientReportRef(ctx, search));
}
