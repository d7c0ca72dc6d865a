import 'server-only';
import { X509Certificate } from 'node:crypto';
import { authorize } from '@/lib/auth/authorize';
import type { Ctx } from '@/lib/context';
import { listSignerCertificates } from '@/lib/signer/certificate-registry';
import { SignerError } from '@/lib/signer/port';

export type SignerCertificateSummary = {
  fingerprint: string;
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  firstUsedAt: string | null;
};

export type EvidenceSignerDto = {
  /** The certificate new evidence is signed with (the embedded default creates it on first use). */
  current: (SignerCertificateSummary & { selfSigned: boolean; timestamped: boolean }) | null;
  /** Why the signer cannot sign now, in plain words. */
  problem: string | null;
  /** Every certificate the portal has signed with, the newest first. */
  certificates: SignerCertificateSummary[];
};

/** The signer as the Evidence page shows it: its certificate's SHA-256 (what an auditor compares), and every earlier one. */
export async function getEvidenceSigner(ctx: Ctx): Promise<EvidenceSignerDto> {
  await authorize(ctx, 'evidence.view');
  const certificates = (await listSignerCertificates(ctx.db)).map((c) => ({
    fingerprint: c.fingerprint,
    subject: c.subject,
    issuer: c.issuer,
    notBefore: c.notBefore.toISOString(),
    notAfter: c.notAfter.toISOString(),
    firstUsedAt: c.firstUsedAt.toISOString(),
  }));
  try {
    const identity = await ctx.services.signer.identity();
    const leaf = new X509Certificate(identity.certificateChain[0]!);
    return {
      current: {
        fingerprint: identity.fingerprint,
        subject: leaf.subject.replaceAll('\n', ', '),
        issuer: leaf.issuer.replaceAll('\n', ', '),
        notBefore: new Date(leaf.validFrom).toISOString(),
        notAfter: new Date(leaf.validTo).toISOString(),
        firstUsedAt: certificates.find((c) => c.fingerprint === identity.fingerprint)?.firstUsedAt ?? null,
        selfSigned: leaf.issuer === leaf.subject,
        timestamped: Boolean(ctx.services.signer.timestampUrl),
      },
      problem: null,
      certificates,
    };
  } catch (error) {
    if (!(error instanceof SignerError)) throw error;
    return { current: null, problem: error.message, certificates };
  }
}
