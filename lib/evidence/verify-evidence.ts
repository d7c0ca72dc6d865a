import 'server-only';
import { eq } from 'drizzle-orm';
import { authorize } from '@/lib/auth/authorize';
import type { Ctx } from '@/lib/context';
import { evidence, type EvidenceKind, type EvidenceSubject } from '@/lib/db/schema';
import { withTransaction } from '@/lib/db/tx';
import { ValidationError } from '@/lib/errors';
import { appendJournal } from '@/lib/journal/append';
import { findSignerCertificate } from '@/lib/signer/certificate-registry';
import { subjectLabel } from './evidence-dto';
import { claimedEvidenceId } from './ids';
import { checkPdf } from './pdf-check';

// Verification of an uploaded PDF, for anyone with an account (and the command line). The file is
// not trusted: its signature is checked over the bytes it names, the signed bytes must be the whole
// file, and the registry is searched by the SHA-256 of the exact bytes. A registered file tells its
// holder what its own cover already says (evidence id, kind, subject by opaque reference, who made
// it and when) and nothing more; a file that is not registered is told only that, even when it names
// an evidence id that exists.

export const MAX_VERIFY_BYTES = 64 * 1024 * 1024;

/** The command line's `evidence verify --json` shape. */
export type EvidenceVerification = {
  valid: boolean;
  unmodified: boolean;
  registered: boolean;
  evidenceId: string | null;
  kind: EvidenceKind | null;
  subject: EvidenceSubject | null;
  signer: { fingerprint: string; subject: string } | null;
  createdAt: string | null;
  createdBy: string | null;
  /** Why it is not valid, unmodified and registered; null when it is. */
  reason: string | null;
};

export type SignerCertificateDto = {
  fingerprint: string;
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  /** A certificate the portal has signed with (the registry keeps every one, rotated or not). */
  known: boolean;
};

/** What the Evidence page shows besides: the file's hash and size, the signer certificate, and the subject in words. */
export type EvidenceCheckDto = EvidenceVerification & {
  sha256: string;
  bytes: number;
  subjectLabel: string | null;
  certificate: SignerCertificateDto | null;
  signedAt: string | null;
  timestamp: { time: string; authority: string | null; valid: boolean } | null;
};

export async function verifyEvidence(ctx: Ctx, pdf: Buffer): Promise<EvidenceCheckDto> {
  await authorize(ctx, 'evidence.view');
  if (pdf.length === 0) throw new ValidationError('File: choose a PDF to verify.', { file: 'Choose a PDF to verify.' });
  if (pdf.length > MAX_VERIFY_BYTES) throw new ValidationError('File: larger than 64 MB, which no Custos report is.', { file: 'Larger than 64 MB, which no Custos report is.' });
  const check = checkPdf(pdf);
  const problems = [...check.problems];
  const fingerprint = check.signature?.signerFingerprint ?? null;
  const known = fingerprint ? (await findSignerCertificate(ctx.db, fingerprint)) !== null : false;
  if (check.cryptographicallyValid && !known) problems.push('the signature was made with a certificate Custos has never signed with');
  const [row] = await ctx.db.select().from(evidence).where(eq(evidence.sha256, check.sha256));
  let registered = Boolean(row);
  let unmodified = check.wholeAndUnchanged;
  if (row && row.signerFingerprint !== fingerprint) {
    registered = false;
    problems.push('the registry names another signer certificate for this file');
  }
  if (!row) {
    const claimed = claimedEvidenceId(pdf);
    const [other] = claimed ? await ctx.db.select({ sha256: evidence.sha256 }).from(evidence).where(eq(evidence.evidenceId, claimed)) : [];
    if (other) {
      unmodified = false;
      problems.push(`the file names evidence ${claimed}, which Custos registered with other bytes (SHA-256 ${other.sha256}): this copy was changed`);
    } else problems.push('no evidence Custos issued has this SHA-256: the file is not registered');
  }
  const valid = check.cryptographicallyValid && known;
  const signer = check.signer;
  const result: EvidenceCheckDto = {
    valid,
    unmodified,
    registered,
    evidenceId: registered ? row!.evidenceId : null,
    kind: registered ? row!.kind : null,
    subject: registered ? row!.subject : null,
    signer: signer ? { fingerprint: signer.fingerprint, subject: signer.subject } : null,
    createdAt: registered ? row!.createdAt.toISOString() : null,
    createdBy: registered ? row!.actorLabel : null,
    reason: valid && unmodified && registered ? null : [...new Set(problems)].join('; ') || 'the signature is not valid',
    sha256: check.sha256,
    bytes: check.bytes,
    subjectLabel: registered ? subjectLabel(row!.subject) : null,
    certificate: signer
      ? { fingerprint: signer.fingerprint, subject: signer.subject, issuer: signer.issuer, serialNumber: signer.serialNumber, notBefore: signer.notBefore.toISOString(), notAfter: signer.notAfter.toISOString(), known }
      : null,
    signedAt: check.signature?.signingTime?.toISOString() ?? null,
    timestamp: check.signature?.timestamp ? { time: check.signature.timestamp.genTime.toISOString(), authority: check.signature.timestamp.authority, valid: check.signature.timestamp.valid } : null,
  };
  await withTransaction(ctx, (tx, txCtx) =>
    appendJournal(tx, txCtx, {
      action: 'evidence.verify',
      subject: result.evidenceId,
      details: { sha256: check.sha256, bytes: check.bytes, valid, unmodified, registered, evidenceId: result.evidenceId },
    }),
  );
  return result;
}

/** The command line's JSON: exactly the documented keys. */
export function verificationJson(check: EvidenceCheckDto): EvidenceVerification {
  const { valid, unmodified, registered, evidenceId, kind, subject, signer, createdAt, createdBy, reason } = check;
  return { valid, unmodified, registered, evidenceId, kind, subject, signer, createdAt, createdBy, reason };
}
