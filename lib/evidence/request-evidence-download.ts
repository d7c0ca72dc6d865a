import 'server-only';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { actorId } from '@/lib/actor';
import { authorize } from '@/lib/auth/authorize';
import type { Ctx } from '@/lib/context';
import { downloadTokens } from '@/lib/db/schema';
import { withTransaction } from '@/lib/db/tx';
import { parseInput } from '@/lib/errors';
import { appendJournal } from '@/lib/journal/append';
import { DOWNLOAD_SECONDS, tokenSha256 } from '@/lib/queries/request-export';
import { authorizeEvidenceDownload, loadVisibleEvidence } from './download-access';

export const EvidenceDownloadRequest = z.object({ evidenceId: z.string({ error: 'name a piece of evidence' }).trim().max(40) });

/**
 * Hands out a registered PDF the way exports are handed out: a POST, journaled, answered with a
 * single-use address valid for a minute, for the person who asked only.
 */
export async function requestEvidenceDownload(ctx: Ctx, raw: unknown): Promise<{ url: string; expiresAt: string }> {
  await authorize(ctx, 'evidence.view');
  const { evidenceId } = parseInput(EvidenceDownloadRequest, raw, { evidenceId: 'Evidence' });
  const row = await loadVisibleEvidence(ctx, { evidenceId });
  await authorizeEvidenceDownload(ctx, row);
  const token = randomBytes(32).toString('base64url');
  const now = ctx.now();
  const expiresAt = new Date(now.getTime() + DOWNLOAD_SECONDS * 1000);
  await withTransaction(ctx, async (tx, txCtx) => {
    await tx.insert(downloadTokens).values({ tokenSha256: tokenSha256(token), evidenceId: row.id, format: 'pdf', actorId: actorId(ctx.actor), createdAt: now, expiresAt });
    await appendJournal(tx, txCtx, { action: 'evidence.download', subject: row.evidenceId, details: { kind: row.kind, sha256: row.sha256 } });
  });
  return { url: `/evidence/download/${token}`, expiresAt: expiresAt.toISOString() };
}
