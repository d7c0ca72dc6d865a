import 'server-only';
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import { actorId } from '@/lib/actor';
import { can } from '@/lib/auth/policy';
import type { Ctx } from '@/lib/context';
import { queryRuns, type QueryRunRow } from '@/lib/db/schema';
import type { Cell, EngineColumn } from '@/lib/engine/port';
import { DomainError } from '@/lib/errors';
import type { SavedQuery } from '@/lib/queries/definition';
import { ledgerParams, phiDisplayOf } from '@/lib/queries/sealed-params';
import type { PatientAccessReportDto, ReportHeader } from './render';
import { coverageOf, GENERAL_LIMITS, integrityFor, sourcesOf } from './report-scope';
import { describeColumns, windowOf } from './run-report-data';

// The patient access report is made from a patient's access-history run and the catalog's studies
// of the same patient (the two runs the patient view makes): every access, and a summary by person.

export const ACCESS_QUERY = 'patient-access-history';
export const STUDIES_QUERY = 'patient-studies';

/** The columns of "every access", in this order, among those the run returned; the person is the principal when no person is named. */
const ACCESS_COLUMNS = ['event_time', 'federated_user', 'action', 'study_instance_uid', 'source_ip', 'outcome', 'sources', 'request_id'];

export const PATIENT_REPORT_LIMITS = [
  'Reads through a viewer’s service role show that role, not the person, unless the viewer passes the user as the session name: such reads are listed under the role.',
  'Studies the catalog no longer holds (deleted at the end of retention) are not searched.',
];

/**
 * The studies run for the same patient (same reference, confirmed on the sealed hash) that the
 * viewer may read, the one run closest in time to the access run.
 */
export async function findStudiesRun(ctx: Ctx, accessRun: QueryRunRow): Promise<QueryRunRow | null> {
  const reference = accessRun.parameters.patient;
  if (!reference) return null;
  const candidates = await ctx.db
    .select()
    .from(queryRuns)
    .where(
      and(
        eq(queryRuns.queryId, STUDIES_QUERY),
        eq(queryRuns.status, 'succeeded'),
        isNull(queryRuns.resultPurgedAt),
        sql`${queryRuns.parameters}->>'patient' = ${reference}`,
        can(ctx.actor, 'runs.view_all') ? undefined : eq(queryRuns.actorId, actorId(ctx.actor)),
      ),
    )
    .orderBy(desc(queryRuns.startedAt))
    .limit(50);
  const patient = ledgerParams(ctx.services.keys, accessRun).patient;
  const distance = (r: QueryRunRow) => Math.abs(r.startedAt.getTime() - accessRun.startedAt.getTime());
  return (
    candidates
      .filter((r) => ctx.services.results.exists(r.id) && ledgerParams(ctx.services.keys, r).patient === patient)
      .sort((a, b) => distance(a) - distance(b))[0] ?? null
  );
}

type Person = PatientAccessReportDto['people'][number];

const indexOf = (columns: EngineColumn[], name: string) => columns.findIndex((c) => c.name === name);
const text = (cell: Cell | undefined) => (cell === null || cell === undefined ? null : String(cell));

/** One pass over the access rows: per principal, the accesses, first and last, and the studies touched. */
export async function summarizeByPerson(columns: EngineColumn[], rows: AsyncIterable<Cell[]>): Promise<Person[]> {
  const [iTime, iPrincipal, iPerson, iRole, iStudy] = ['event_time', 'principal', 'federated_user', 'role', 'study_instance_uid'].map((n) => indexOf(columns, n)) as [number, number, number, number, number];
  const people = new Map<string, Person & { studySet: Set<string> }>();
  for await (const row of rows) {
    const principal = text(row[iPrincipal]) ?? '(unknown principal)';
    const time = text(row[iTime]) ?? '';
    let person = people.get(principal);
    if (!person) {
      const named = iPerson >= 0 ? text(row[iPerson]) : null;
      person = { person: named ?? principal.split('/').pop() ?? principal, principal, role: iRole >= 0 ? text(row[iRole]) : null, accesses: 0, first: time, last: time, studies: 0, studySet: new Set() };
      people.set(principal, person);
    }
    person.accesses++;
    if (time && (!person.first || time < person.first)) person.first = time;
    if (time > person.last) person.last = time;
    const study = iStudy >= 0 ? text(row[iStudy]) : null;
    if (study) person.studySet.add(study);
  }
  return [...people.values()]
    .map(({ studySet, ...p }) => ({ ...p, studies: studySet.size }))
    .sort((a, b) => b.accesses - a.accesses || a.person.localeCompare(b.person));
}

async function* pick(rows: AsyncIterable<Cell[]>, indexes: number[], fallback: { at: number; from: number }): AsyncGenerator<Cell[]> {
  for await (const row of rows) yield indexes.map((i) => (i === fallback.at ? (row[i] ?? row[fallback.from] ?? null) : (row[i] ?? null)));
}

async function studiesOf(ctx: Ctx, run: QueryRunRow): Promise<PatientAccessReportDto['studies']> {
  const columns = await ctx.services.results.columns(run.id);
  const at = (name: string) => indexOf(columns, name);
  const [uid, accession, modality, date] = [at('study_instance_uid'), at('accession_number'), at('modality'), at('study_date')];
  const studies: PatientAccessReportDto['studies'] = [];
  for await (const row of ctx.services.results.rows(run.id)) {
    studies.push({ studyInstanceUid: text(row[uid]) ?? '', accessionNumber: text(row[accession]) ?? '', modality: text(row[modality]) ?? '', studyDate: text(row[date])?.slice(0, 10) ?? '' });
  }
  return studies;
}

export async function patientAccessReportDto(
  ctx: Ctx,
  query: SavedQuery,
  runs: { access: QueryRunRow; studies: QueryRunRow },
  header: ReportHeader,
): Promise<PatientAccessReportDto> {
  const { access, studies } = runs;
  const { results } = ctx.services;
  const columns = await results.columns(access.id);
  const shown = ACCESS_COLUMNS.map((name) => indexOf(columns, name)).filter((i) => i >= 0);
  if (indexOf(columns, 'event_time') < 0 || indexOf(columns, 'principal') < 0) {
    throw new DomainError('precondition', 'The access run’s result has no event_time or principal column, so no patient access report can be made from it.');
  }
  const fallback = { at: indexOf(columns, 'federated_user'), from: indexOf(columns, 'principal') };
  const accessColumns = describeColumns(query, shown.map((i) => columns[i]!)).map((c) =>
    c.name === 'federated_user' ? { ...c, label: 'Person or principal', description: 'The person behind the role session, or the principal when no person is named.', kind: 'text' as const } : c,
  );
  const window = windowOf(access);
  const partial = can(ctx.actor, 'patient.read_phi') ? (phiDisplayOf(ctx.services.keys, access).patient ?? null) : null;
  return {
    ...header,
    scope: {
      sources: sourcesOf(query.tables),
      window,
      coverage: coverageOf(access.coverage),
      integrity: await integrityFor(ctx, query.tables, window),
      doesNotProve: [...PATIENT_REPORT_LIMITS, ...GENERAL_LIMITS],
    },
    patient: { reference: access.parameters.patient ?? '', partial },
    studies: await studiesOf(ctx, studies),
    people: await summarizeByPerson(columns, results.rows(access.id)),
    accessColumns,
    accesses: pick(results.rows(access.id), shown, fallback),
    runs: { accessRunId: access.id, studiesRunId: studies.id, accessResultSha256: access.resultSha256 ?? '', studiesResultSha256: studies.resultSha256 ?? '' },
  };
}
