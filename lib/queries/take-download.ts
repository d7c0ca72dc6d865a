import 'server-only';
import { and, eq, gt, isNotNull, isNull, lt, or } from 'drizzle-orm';
import { actorId } from '@/lib/actor';
import { authorize } from '@/lib/auth/authorize';
import type { Ctx } from '@/lib/context';
import { downloadTokens } from '@/lib/db/schema';
import { withTransaction } from '@/lib/db/tx';
import { notFoundError } from '@/lib/errors';
import { appendJournal } from '@/lib/journal/append';
import { exportFile, type ExportFormat, type RunExport } from './export-run';
import { tokenSha256 } from './request-export';
import { loadVisibleRun } from './visible-run';

/**
 * Delivers the file an export request handed out, once, to the person who asked, within its
 * minute; anything else is "not found". Spent and expired downloads are cleared as it goes.
 */
export async function takeDownload(ctx: Ctx, token: string): Promise<RunExport> {
  await authorize(ctx, 'query.use');
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) throw notFoundError('The download');
  const now = ctx.now();
  const taken = await withTransaction(ctx, async (tx, txCtx) => {
    const [claimed] = await tx
      .update(downloadTokens)
      .set({ usedAt: now })
      .where(and(eq(downloadTokens.tokenSha256, tokenSha256(token)), isNotNull(downloadTokens.runId), isNull(downloadTokens.usedAt), gt(downloadTokens.expiresAt, now), eq(downloadTokens.actorId, actorId(ctx.actor))))
      .returning();
    await tx.delete(downloadTokens).where(or(lt(downloadTokens.expiresAt, new Date(now.getTime() - 3_600_000)), lt(downloadTokens.usedAt, new Date(now.getTime() - 3_600_000))));
    if (!claimed) return null;
    await appendJournal(tx, txCtx, { action: 'query.export_downloaded', subject: claimed.runId, details: { format: claimed.format } });
    return claimed;
  });
  if (!taken) throw notFoundError('The download (it is used once, within a minute, by the person who asked for it)');
  return exportFile(ctx, await loadVisibleRun(ctx, taken.runId!), taken.format as ExportFormat);
}
