// A link from a result row that names a patient (by the catalog's patient_id_hash) to that patient's
// view. The link must carry neither an MRN nor the hash, so it carries the hash sealed with the
// installation key, bound to the person it was made for and expiring: opaque in browser history and
// server logs, useless to anyone else, and unforgeable.
import type { KeyRing } from '@/lib/keys/port';

/** How long a link stays usable after the result page that showed it was rendered. */
export const PATIENT_LINK_TTL_MS = 8 * 60 * 60 * 1000;

const HASH = /^[0-9a-f]{64}$/;
const context = (actorId: string) => `patient-link:${actorId}`;

export function sealPatientLink(keys: KeyRing, actorId: string, patientIdHash: string, now: Date): string {
  if (!HASH.test(patientIdHash)) throw new Error('not a patient hash');
  const body = JSON.stringify({ h: patientIdHash, e: now.getTime() + PATIENT_LINK_TTL_MS });
  return keys.seal(Buffer.from(body, 'utf8'), context(actorId)).toString('base64url');
}

export type OpenedPatientLink = { ok: true; patientIdHash: string; expiresAt: Date } | { ok: false; reason: 'invalid' | 'expired' };

/** The hash a link names, when it was made for this person and has not expired. */
export function openPatientLink(keys: KeyRing, actorId: string, token: string, now: Date): OpenedPatientLink {
  let parsed: unknown;
  try {
    if (!/^[A-Za-z0-9_-]{40,400}$/.test(token)) return { ok: false, reason: 'invalid' };
    parsed = JSON.parse(keys.open(Buffer.from(token, 'base64url'), context(actorId)).toString('utf8'));
  } catch {
    return { ok: false, reason: 'invalid' };
  }
  const { h, e } = (parsed ?? {}) as { h?: unknown; e?: unknown };
  if (typeof h !== 'string' || !HASH.test(h) || typeof e !== 'number') return { ok: false, reason: 'invalid' };
  if (now.getTime() > e) return { ok: false, reason: 'expired' };
  return { ok: true, patientIdHash: h, expiresAt: new Date(e) };
}
