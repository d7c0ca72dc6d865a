// The patient view's address: its runs, how the patient was found and which MRN variants were
// tried, sealed into one opaque token so that the page states the match truthfully (an edited
// address cannot make it claim another) and no identifier ever sits in the URL.
import { z } from 'zod';
import type { KeyRing } from '@/lib/keys/port';
import { notFoundError } from '@/lib/errors';

/** How the patient was found: the MRN as typed, a documented variant of it, or a result row's sealed link. */
export const PATIENT_MATCHES = ['as-written', 'trimmed', 'upper-case', 'link'] as const;
export type PatientMatch = (typeof PATIENT_MATCHES)[number];

export type PatientReportRef = {
  studiesRunId: string;
  /** null when no study in the catalog matched: no access history was run. */
  accessRunId: string | null;
  /** How the patient was found (null: not recorded, or nothing matched). */
  match?: PatientMatch | null;
  /** The ways of reading the MRN tried, in order. */
  tried?: PatientMatch[];
};

const CONTEXT = 'patient-view';
const Token = z.object({
  s: z.string().uuid(),
  a: z.string().uuid().nullable(),
  m: z.enum(PATIENT_MATCHES).nullable(),
  t: z.array(z.enum(PATIENT_MATCHES)).max(PATIENT_MATCHES.length),
});

export function sealPatientView(keys: KeyRing, ref: PatientReportRef): string {
  const body: z.infer<typeof Token> = { s: ref.studiesRunId, a: ref.accessRunId, m: ref.match ?? null, t: ref.tried ?? [] };
  return keys.seal(Buffer.from(JSON.stringify(body), 'utf8'), CONTEXT).toString('base64url');
}

/** The view a token names; NotFound for anything the portal did not seal. */
export function openPatientView(keys: KeyRing, token: string): PatientReportRef {
  try {
    if (!/^[A-Za-z0-9_-]{40,600}$/.test(token)) throw new Error('malformed');
    const body = Token.parse(JSON.parse(keys.open(Buffer.from(token, 'base64url'), CONTEXT).toString('utf8')));
    return { studiesRunId: body.s, accessRunId: body.a, match: body.m, tried: body.t };
  } catch {
    throw notFoundError('This patient view');
  }
}

/** Where the report page is: the sealed token, never a run id pair a person could mix up. */
export function patientViewPath(keys: KeyRing, ref: PatientReportRef): string {
  return `/patients/report?view=${sealPatientView(keys, ref)}`;
}
