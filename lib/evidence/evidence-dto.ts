import { actorId } from '@/lib/actor';
import { can, canRunQuery } from '@/lib/auth/policy';
import type { Ctx } from '@/lib/context';
import type { EvidenceKind, EvidenceRow, EvidenceSubject } from '@/lib/db/schema';
import { findQuery } from '@/lib/queries/registry';

// Who sees which evidence: like the run ledger, one's own, or everyone's with runs.view_all. Who may
// download it: whoever may make it — the PDF holds what its subject holds (a run's rows, a
// patient's accounting), so the permission is the subject's, not the registry's.

export type EvidenceDto = {
  id: string;
  evidenceId: string;
  kind: EvidenceKind;
  title: string;
  subject: EvidenceSubject;
  subjectLabel: string;
  window: { from: string; to: string } | null;
  sha256: string;
  bytes: number;
  signerFingerprint: string;
  createdAt: string;
  createdBy: string;
  journalHead: { seq: number; hash: string };
  /** The viewer may download the PDF (the subject's own permission). */
  canDownload: boolean;
};

export function maySeeEvidence(ctx: Ctx, row: Pick<EvidenceRow, 'actorId'>): boolean {
  return can(ctx.actor, 'runs.view_all') || row.actorId === actorId(ctx.actor);
}

export function mayDownloadEvidence(ctx: Ctx, row: Pick<EvidenceRow, 'kind' | 'subject'>): boolean {
  switch (row.kind) {
    case 'query-run': {
      const query = row.subject.type === 'run' ? findQuery(row.subject.queryId) : undefined;
      return can(ctx.actor, 'query.use') && Boolean(query) && canRunQuery(ctx.actor, query!.roles);
    }
    case 'patient-access':
      return can(ctx.actor, 'patient.read_phi');
    case 'posture-summary':
      return can(ctx.actor, 'posture.view');
    case 'disposition':
      return can(ctx.actor, 'retention.view');
  }
}

export function subjectLabel(subject: EvidenceSubject): string {
  switch (subject.type) {
    case 'run':
      return `${subject.queryTitle}, run ${subject.runId}`;
    case 'patient':
      return `Patient ${subject.patient} (access run ${subject.accessRunId})`;
    case 'posture':
      return `Posture ${subject.from} to ${subject.to}`;
    case 'deletion-request':
      return `Deletion request ${subject.requestId}`;
  }
}

export const KIND_LABELS: Record<EvidenceKind, string> = {
  'query-run': 'Query-run report',
  'patient-access': 'Patient access report',
  'posture-summary': 'Posture summary',
  disposition: 'Proof of disposition',
};

export function toEvidenceDto(ctx: Ctx, row: EvidenceRow): EvidenceDto {
  return {
    id: row.id,
    evidenceId: row.evidenceId,
    kind: row.kind,
    title: row.title,
    subject: row.subject,
    subjectLabel: subjectLabel(row.subject),
    window: row.windowFrom && row.windowTo ? { from: row.windowFrom, to: row.windowTo } : null,
    sha256: row.sha256,
    bytes: row.bytes,
    signerFingerprint: row.signerFingerprint,
    createdAt: row.createdAt.toISOString(),
    createdBy: row.actorLabel,
    journalHead: { seq: row.journalHeadSeq, hash: row.journalHeadHash },
    canDownload: mayDownloadEvidence(ctx, row),
  };
}
