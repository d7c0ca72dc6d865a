import 'server-only';
import { randomUUID, X509Certificate } from 'node:crypto';
import { desc } from 'drizzle-orm';
import { actorId, actorLabel, actorRole, type Actor } from '@/lib/actor';
import { ROLE_LABELS } from '@/lib/auth/policy';
import type { Ctx } from '@/lib/context';
import { evidence, journal, type EvidenceKind, type EvidenceSubject } from '@/lib/db/schema';
import { withTransaction } from '@/lib/db/tx';
import { DomainError } from '@/lib/errors';
import { appendJournal } from '@/lib/journal/append';
import { recordSignerCertificate } from '@/lib/signer/certificate-registry';
import { sha256 } from '@/lib/signer/certificates';
import { SignerError, type SignerIdentity } from '@/lib/signer/port';
import { signPdf } from '@/lib/signer/sign-pdf';
import { sha256Base64 } from '@/lib/storage/object-store';
import packageJson from '@/package.json';
import { newEvidenceId } from './ids';
import type { ReportHeader } from './render';

// One path for every report: built whole with its evidence id, the journal's head and the signer
// on its cover, signed once, stored under Object Lock, then registered with its journal entry in
// one transaction. The object is stored before the registry row: should the transaction fail, an
// unregistered object is left (which verification calls "not registered"), never a registry row
// naming bytes that were not stored.

export type IssueSpec = {
  kind: EvidenceKind;
  title: string;
  subject: EvidenceSubject;
  subjectRef: string;
  window: { from: string; to: string } | null;
  /** The signature dictionary's /Reason. */
  reason: string;
  render(header: ReportHeader): Promise<Buffer>;
};

export type IssuedEvidence = {
  /** The registry row's id (download tokens name it). */
  id: string;
  evidenceId: string;
  kind: EvidenceKind;
  sha256: string;
  bytes: number;
  createdAt: string;
  pdf: Buffer;
};

/** How a report names who made it: "Dana Whitfield (privacy officer)", "alice (command line)". */
export function generatedByLabel(actor: Actor): string {
  if (actor.type === 'user') return `${actor.name || actor.email} (${ROLE_LABELS[actor.role].toLowerCase()})`;
  return actorLabel(actor);
}

/** "CN=…, O=…" of a certificate (Node's one-attribute-per-line form on one line). */
export function certificateSubject(der: Buffer): string {
  return new X509Certificate(der).subject.replaceAll('\n', ', ');
}

async function journalHead(ctx: Ctx): Promise<{ seq: number; hash: string }> {
  const [head] = await ctx.db.select({ seq: journal.seq, hash: journal.hash }).from(journal).orderBy(desc(journal.seq)).limit(1);
  return head ?? { seq: 0, hash: '0'.repeat(64) };
}

async function signerIdentity(ctx: Ctx): Promise<SignerIdentity> {
  try {
    return await ctx.services.signer.identity();
  } catch (error) {
    if (error instanceof SignerError) throw new DomainError('precondition', `The evidence signer is not available: ${error.message}`);
    throw error;
  }
}

const isoSecond = (at: Date) => at.toISOString().replace(/\.\d{3}Z$/, 'Z');

// mutation-path: the verbs that call this have authorized the actor for the report's subject; the
// registry row and its journal entry are one transaction.
/** Builds, signs, stores and registers one report. */
export async function issueEvidence(ctx: Ctx, spec: IssueSpec): Promise<IssuedEvidence> {
  const { services } = ctx;
  const identity = await signerIdentity(ctx);
  const now = new Date(Math.floor(ctx.now().getTime() / 1000) * 1000);
  const evidenceId = newEvidenceId(now);
  const head = await journalHead(ctx);
  const header: ReportHeader = {
    evidenceId,
    kind: spec.kind,
    title: spec.title,
    generatedAt: isoSecond(now),
    generatedBy: generatedByLabel(ctx.actor),
    portalVersion: packageJson.version,
    journalHead: head,
    signer: { subject: certificateSubject(identity.certificateChain[0]!), fingerprint: identity.fingerprint },
  };
  const unsigned = await spec.render(header);
  let pdf: Buffer;
  try {
    pdf = await signPdf(unsigned, services.signer, { reason: spec.reason, location: 'Custos' }, { signingTime: now });
  } catch (error) {
    if (error instanceof SignerError) throw new DomainError('precondition', `The report could not be signed: ${error.message}`);
    throw error;
  }
  const digest = sha256(pdf);
  const hex = digest.toString('hex');
  const bucket = services.env.CUSTOS_EVIDENCE_BUCKET;
  const stored = await services.objects.put({
    bucket,
    key: `evidence/${evidenceId}.pdf`,
    body: pdf,
    checksumSha256: sha256Base64(pdf),
    contentType: 'application/pdf',
    metadata: { 'evidence-id': evidenceId, sha256: hex },
    retention: { mode: 'COMPLIANCE', retainUntil: new Date(now.getTime() + services.env.CUSTOS_EVIDENCE_RETENTION_DAYS * 86_400_000) },
  });
  const id = randomUUID();
  await withTransaction(ctx, async (tx, txCtx) => {
    await recordSignerCertificate(tx, services.signer, identity, now);
    await tx.insert(evidence).values({
      id,
      evidenceId,
      kind: spec.kind,
      title: spec.title,
      subject: spec.subject,
      subjectRef: spec.subjectRef,
      windowFrom: spec.window?.from ?? null,
      windowTo: spec.window?.to ?? null,
      sha256: hex,
      bytes: pdf.length,
      signerFingerprint: identity.fingerprint,
      createdAt: now,
      actorType: ctx.actor.type,
      actorId: actorId(ctx.actor),
      actorLabel: actorLabel(ctx.actor),
      actorRole: actorRole(ctx.actor),
      journalHeadSeq: head.seq,
      journalHeadHash: head.hash,
      objectBucket: bucket,
      objectKey: stored.key,
      objectVersionId: stored.versionId,
    });
    await appendJournal(tx, txCtx, {
      action: 'evidence.create',
      subject: evidenceId,
      details: { kind: spec.kind, subject: spec.subjectRef, sha256: hex, bytes: pdf.length, signer: identity.fingerprint, object: `${bucket}/${stored.key}`, versionId: stored.versionId, journalHeadSeq: head.seq },
    });
  });
  return { id, evidenceId, kind: spec.kind, sha256: hex, bytes: pdf.length, createdAt: now.toISOString(), pdf };
}
