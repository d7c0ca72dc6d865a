import 'server-only';
import { z } from 'zod';
import { actorId } from '@/lib/actor';
import { authorize } from '@/lib/auth/authorize';
import type { Ctx } from '@/lib/context';
import { withTransaction } from '@/lib/db/tx';
import { DomainError, parseInput, ValidationError } from '@/lib/errors';
import { appendJournal } from '@/lib/journal/append';
import { CANARY_ACCESSION } from '@/lib/lake/catalog-canary';
import { prepareOptions } from '@/lib/queries/param-defaults';
import { isMrn, prepareScope } from '@/lib/queries/params';
import { openPatientLink } from '@/lib/queries/patient-link';
import { findQuery } from '@/lib/queries/registry';
import { runSavedQuery, type RunSource } from '@/lib/queries/run-saved-query';
import type { RunDto } from '@/lib/queries/run-dto';
import { patientViewPath, type PatientMatch, type PatientReportRef } from './patient-view';

// The patient view: the catalog's studies and the access history over a window, as recorded runs
// (so the view is in the ledger like any report), opened by MRN or by a result row's sealed link and
// shown by a sealed reference — the MRN itself never appears in a URL, the ledger or the journal.
//
// The MRN is hashed exactly as typed: the catalog holds the HMAC of what the ingest pipeline had,
// and a normalised MRN could name another patient. Only when that finds no study are the documented
// variants tried — trimmed of surrounding spaces, then upper-case — each as a run of its own, and
// the page says which one matched.

export type { PatientReportRef } from './patient-view';

const required = { error: 'is required' };
export const OpenPatientInput = z
  .object({
    mrn: z.string().optional(),
    /** A sealed link from a result row (lib/queries/patient-link.ts), instead of an MRN. */
    ref: z.string().max(600).optional(),
    from: z.string(required),
    to: z.string(required),
  })
  .refine((v) => Boolean(v.ref) || typeof v.mrn === 'string', { path: ['mrn'], message: 'is required' });

/** The ways of reading a typed MRN, in the order they are tried, without repeats or invalid ones. */
export function mrnCandidates(typed: string): { match: PatientMatch; value: string }[] {
  const out: { match: PatientMatch; value: string }[] = [];
  const add = (match: PatientMatch, value: string) => {
    if (isMrn(value) && !out.some((c) => c.value === value)) out.push({ match, value });
  };
  add('as-written', typed);
  add('trimmed', typed.trim());
  add('upper-case', typed.trim().toUpperCase());
  return out;
}

function succeeded(run: RunDto): RunDto {
  if (run.status !== 'succeeded') throw new DomainError('precondition', run.error ?? `The ${run.queryTitle} query ${run.status}.`);
  return run;
}

/** Whether a studies run found a study of a patient (the catalog's canary row is no one's study). */
async function foundStudies(ctx: Ctx, run: RunDto): Promise<boolean> {
  if (!run.rowCount) return false;
  const { results } = ctx.services;
  const accession = (await results.columns(run.id)).findIndex((c) => c.name === 'accession_number');
  for await (const row of results.rows(run.id)) if (row[accession] !== CANARY_ACCESSION) return true;
  return false;
}

export type OpenedPatientReport = PatientReportRef & { tried: PatientMatch[]; match: PatientMatch | null; path: string };

export async function openPatientReport(ctx: Ctx, raw: unknown): Promise<OpenedPatientReport> {
  await authorize(ctx, 'patient.read_phi', 'patients');
  const input = parseInput(OpenPatientInput, raw, { mrn: 'Patient MRN', from: 'From', to: 'To', ref: 'Patient' });
  const { from, to } = input;

  let candidates: { match: PatientMatch; value: string; source?: RunSource }[];
  if (input.ref) {
    const link = openPatientLink(ctx.services.keys, actorId(ctx.actor), input.ref, ctx.now());
    if (!link.ok) {
      throw new DomainError(
        'precondition',
        link.reason === 'expired'
          ? 'This link to a patient view has expired. Open the result it came from again and follow the link from there.'
          : 'This link to a patient view is not valid for you. Open the result it came from and follow the link from there.',
      );
    }
    candidates = [{ match: 'link', value: link.patientIdHash, source: { from: 'patient-link', phiDisplay: {} } }];
  } else {
    candidates = mrnCandidates(input.mrn ?? '');
  }
  let scopeOk = true;
  try {
    prepareScope(findQuery('patient-access-history')!, { from, to }, await prepareOptions(ctx, 'form'));
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    scopeOk = false;
  }
  if (candidates.length === 0 || !scopeOk) {
    // The run verb refuses it, naming every bad field and journaling the refusal as for any run.
    const first = candidates[0];
    await runSavedQuery(ctx, { queryId: 'patient-access-history', params: { patient: first?.value ?? input.mrn ?? '', from, to } }, { wait: true, source: first?.source });
    throw new DomainError('precondition', 'The patient view could not be opened with these values.');
  }

  const tried: { match: PatientMatch; run: RunDto }[] = [];
  let accesses: RunDto | null = null;
  for (const c of candidates) {
    const studies = succeeded(await runSavedQuery(ctx, { queryId: 'patient-studies', params: { patient: c.value } }, { wait: true, source: c.source }));
    tried.push({ match: c.match, run: studies });
    if (!(await foundStudies(ctx, studies))) continue;
    accesses = succeeded(
      await runSavedQuery(ctx, { queryId: 'patient-access-history', params: { patient: c.value, from, to } }, { wait: true, source: c.source }),
    );
    break;
  }

  const last = tried.at(-1)!;
  const match = accesses ? last.match : null;
  await withTransaction(ctx, (tx, txCtx) =>
    appendJournal(tx, txCtx, {
      action: 'patient.view',
      subject: accesses?.id ?? last.run.id,
      details: {
        studiesRun: last.run.id,
        from,
        to,
        patient: (accesses ?? tried[0]!.run).parameters.patient ?? '',
        match: match ?? 'none',
        ...(tried.length > 1 ? { triedRuns: tried.slice(0, accesses ? -1 : undefined).map((t) => t.run.id) } : {}),
      },
    }),
  );
  const ref: PatientReportRef = { studiesRunId: last.run.id, accessRunId: accesses?.id ?? null, match, tried: tried.map((t) => t.match) };
  return { ...ref, match, tried: ref.tried!, path: patientViewPath(ctx.services.keys, ref) };
}
