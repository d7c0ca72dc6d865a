import 'server-only';
import { and, eq, gt, isNotNull, isNull } from 'drizzle-orm';
import { actorId } from '@/lib/actor';
import { authorize } from '@/lib/auth/authorize';
import type { Ctx } from '@/lib/context';
import { downloadTokens, evidence } from '@/lib/db/schema';
import { withTransaction } from '@/lib/db/tx';
import { DomainError, notFoundError } from '@/lib/errors';
import { appendJournal } from '@/lib/journal/append';
import { tokenSha256 } from '@/lib/queries/request-export';
import { sha256 } from '@/lib/signer/certificates';
import { authorizeEvidenceDownload, loadVisibleEvidence } from './download-access';

export type EvidenceFile = { filename: string; contentType: 'application/pdf'; body: Buffer; sha256: string };

/**
 * Delivers the PDF a download request handed out, once, to the person who asked, within its
 * minute; anything else is "not found". The bytes come from the object store and are the registered
 * ones (their SHA-256 is checked), so a second download is identical to the first.
 */
export async function takeEvidenceDownload(ctx: Ctx, token: string): Promise<EvidenceFile> {
  await authorize(ctx, 'evidence.view');
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) throw notFoundError('The download');
  const now = ctx.now();
  const claimed = await withTransaction(ctx, async (tx, txCtx) => {
    const [claim] = await tx
      .update(downloadTokens)
      .set({ usedAt: now })
      .where(and(eq(downloadTokens.tokenSha256, tokenSha256(token)), isNotNull(downloadTokens.evidenceId), isNull(downloadTokens.usedAt), gt(downloadTokens.expiresAt, now), eq(downloadTokens.actorId, actorId(ctx.actor))))
      .returning();
    if (!claim) return null;
    const [row] = await tx.select({ evidenceId: evidence.evidenceId, sha256: evidence.sha256 }).from(evidence).where(eq(evidence.id, claim.evidenceId!));
    if (!row) return null;
    await appendJournal(tx, txCtx, { action: 'evidence.downloaded', subject: row.evidenceId, details: { sha256: row.sha256 } });
    return row;
  });
  if (!claimed) throw notFoundError('The download (it is used once, within a minute, by the person who asked for it)');
  const row = await loadVisibleEvidence(ctx, { evidenceId: claimed.evidenceId });
  await authorizeEvidenceDownload(ctx, row);
  const object = await ctx.services.objects.get({ bucket: row.objectBucket, key: row.objectKey, versionId: row.objectVersionId });
  const body = Buffer.from(object.body);
  if (sha256(body).toString('hex') !== row.sha256) {
    throw new DomainError('precondition', `The stored copy of ${row.evidenceId} no longer has its registered SHA-256, so it is not delivered.`);
  }
  return { filename: `${row.evidenceId}.pdf`, contentType: 'application/pdf', body, sha256: row.sha256 };
}
