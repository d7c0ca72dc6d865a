// Parameters for the saved queries, taken from what the generator planted (truth.json), so every
// query has something real to find.
import type { Truth } from '@/lib/lake/generate';
import type { TruthPatient } from '@/lib/lake/generate/truth';
import type { SavedQuery } from '@/lib/queries/definition';
import { daysBetween } from '@/lib/days';

export type Window = { from: string; to: string };

/** The planted patient the access history is measured for: an adult with accesses. */
export function plantedPatient(truth: Truth): TruthPatient {
  const withAccesses = truth.patients.filter((p) => p.accesses.length > 0);
  const patient = withAccesses.find((p) => p.kind === 'adult') ?? withAccesses[0];
  if (!patient) throw new Error('truth.json plants no patient with accesses');
  return patient;
}

/** The last `days` days of the lake's window (the whole window when it is shorter). */
export function windowEnding(truth: Truth, days: number): Window {
  const to = truth.window.to;
  const from = new Date(Date.parse(`${to}T00:00:00Z`) - (days - 1) * 86_400_000).toISOString().slice(0, 10);
  return { from: from < truth.window.from ? truth.window.from : from, to };
}

export const windowDays = (w: Window) => daysBetween(w.from, w.to).length;

export const BULK_THRESHOLD = 20;

/** Values for every parameter the bench can fill from truth.json; the rest keep their defaults. */
export function savedQueryParams(query: SavedQuery, truth: Truth, window: Window, maxDays: number): Record<string, string> {
  const patient = plantedPatient(truth);
  const study = patient.studies.find((s) => patient.accesses.some((a) => a.studyInstanceUid === s.studyInstanceUid)) ?? patient.studies[0];
  const limit = Math.min(query.range?.maxDays ?? maxDays, maxDays);
  const range = windowDays(window) > limit ? { from: windowEnding(truth, limit).from, to: window.to } : window;
  const params: Record<string, string> = {};
  for (const p of query.params) {
    if (p.type === 'mrn') params[p.name] = patient.mrn;
    else if (p.type === 'study' && study) params[p.name] = study.studyInstanceUid;
    else if (p.type === 'principal') params[p.name] = truth.investigatedUser.principal;
    else if (p.type === 'timezone') params[p.name] = truth.timeZone;
    else if (p.type === 'date') {
      if (query.range?.from === p.name) params[p.name] = range.from;
      else params[p.name] = range.to;
    } else if (p.type === 'hour' && p.name.startsWith('start')) params[p.name] = String(truth.businessHours[0]);
    else if (p.type === 'hour' && p.name.startsWith('end')) params[p.name] = String(truth.businessHours[1]);
    else if (p.type === 'integer' && p.name === 'threshold') params[p.name] = String(BULK_THRESHOLD);
  }
  return params;
}
