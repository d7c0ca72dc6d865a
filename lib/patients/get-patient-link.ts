import 'server-only';
import { actorId } from '@/lib/actor';
import { authorize } from '@/lib/auth/authorize';
import type { Ctx } from '@/lib/context';
import { openPatientLink } from '@/lib/queries/patient-link';

export type PatientLinkDto =
  | { ok: true; /** The patient's opaque reference (as run history shows it). */ reference: string; expiresAt: string }
  | { ok: false; reason: 'invalid' | 'expired' };

/** What a result row's sealed link names, for the form that opens the patient's view (nothing is read yet). */
export async function getPatientLink(ctx: Ctx, token: string): Promise<PatientLinkDto> {
  await authorize(ctx, 'patient.read_phi', 'patients');
  const link = openPatientLink(ctx.services.keys, actorId(ctx.actor), token, ctx.now());
  if (!link.ok) return link;
  return { ok: true, reference: ctx.services.keys.pseudonym('patient', link.patientIdHash), expiresAt: link.expiresAt.toISOString() };
}
