import 'server-only';
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { actorId } from '@/lib/actor';
import { authorize } from '@/lib/auth/authorize';
import type { Ctx } from '@/lib/context';
import { downloadTokens } from '@/lib/db/schema';
import { withTransaction } from '@/lib/db/tx';
import { parseInput } from '@/lib/errors';
import { appendJournal } from '@/lib/journal/append';
import { EXPORT_FORMATS, loadExportable } from './export-run';

export const ExportRequest = z.object({
  runId: z.string({ error: 'name a run' }).max(64),
  format: z.enum(EXPORT_FORMATS, { error: `choose one of: ${EXPORT_FORMATS.join(', ')}` }),
});

/** How long a download handed out by an export request may be fetched. */
export const DOWNLOAD_SECONDS = 60;

export const tokenSha256 = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

/**
 * Starts an export (a POST, never a link a browser might prefetch): journaled here, and answered
 * with a single-use download address valid for a minute, for the person who asked only.
 */
export async function requestExport(ctx: Ctx, raw: unknown): Promise<{ url: string; expiresAt: string }> {
  await authorize(ctx, 'query.use');
  const { runId, format } = parseInput(ExportRequest, raw, { runId: 'Run', format: 'Format' });
  const row = await loadExportable(ctx, runId, format);
  const token = randomBytes(32).toString('base64url');
  const now = ctx.now();
  const expiresAt = new Date(now.getTime() + DOWNLOAD_SECONDS * 1000);
  await withTransaction(ctx, async (tx, txCtx) => {
    await tx.insert(downloadTokens).values({ tokenSha256: tokenSha256(token), runId: row.id, format, actorId: actorId(ctx.actor), createdAt: now, expiresAt });
    await appendJournal(tx, txCtx, { action: 'query.export', subject: row.id, details: { queryId: row.queryId, format, rowCount: row.rowCount ?? 0 } });
  });
  return { url: `/api/downloads/${token}`, expiresAt: expiresAt.toISOString() };
}
