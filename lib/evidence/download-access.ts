import 'server-only';
import { eq } from 'drizzle-orm';
import { authorize, authorizeQuery } from '@/lib/auth/authorize';
import type { Ctx } from '@/lib/context';
import { evidence, type EvidenceRow } from '@/lib/db/schema';
import { notFoundError } from '@/lib/errors';
import { findQuery } from '@/lib/queries/registry';
import { maySeeEvidence } from './evidence-dto';
import { EVIDENCE_ID } from './ids';

/** A registry row the actor may see, by evidence id or row id, or NotFound (never a hint that someone else's exists). */
export async function loadVisibleEvidence(ctx: Ctx, ref: { evidenceId?: string; id?: string }): Promise<EvidenceRow> {
  if (ref.evidenceId !== undefined && !EVIDENCE_ID.test(ref.evidenceId)) throw notFoundError('The evidence');
  const [row] = await ctx.db
    .select()
    .from(evidence)
    .where(ref.evidenceId !== undefined ? eq(evidence.evidenceId, ref.evidenceId) : eq(evidence.id, ref.id ?? ''));
  if (!row || !maySeeEvidence(ctx, row)) throw notFoundError('The evidence');
  return row;
}

/** The PDF holds what its subject holds: downloading it takes the subject's own permission (refusals journaled). */
export async function authorizeEvidenceDownload(ctx: Ctx, row: EvidenceRow): Promise<void> {
  switch (row.kind) {
    case 'query-run': {
      await authorize(ctx, 'query.use', `evidence:${row.evidenceId}`);
      const query = row.subject.type === 'run' ? findQuery(row.subject.queryId) : undefined;
      if (!query) throw notFoundError('The saved query of this evidence');
      await authorizeQuery(ctx, query.id, query.roles);
      return;
    }
    case 'patient-access':
      return authorize(ctx, 'patient.read_phi', `evidence:${row.evidenceId}`);
    case 'posture-summary':
      return authorize(ctx, 'posture.view', `evidence:${row.evidenceId}`);
    case 'disposition':
      return authorize(ctx, 'retention.view', `evidence:${row.evidenceId}`);
  }
}
