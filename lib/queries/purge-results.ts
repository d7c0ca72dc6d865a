import 'server-only';
import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import { makeCtx, type Services } from '@/lib/context';
import { queryRuns } from '@/lib/db/schema';
import { withTransaction } from '@/lib/db/tx';
import type { JobHandler } from '@/lib/jobs/types';
import { appendJournal } from '@/lib/journal/append';

export const RESULTS_PURGE_JOB = 'results.purge';
const BATCH = 200;

// mutation-path: a scheduled job of the portal's own (the system actor); each batch of purged
// results and its journal entry are one transaction.
/**
 * Removes stored results older than the retention (CUSTOS_RESULT_RETENTION_DAYS) unless evidence
 * keeps them; the ledger rows and their hashes stay. Idempotent: a file already gone is skipped.
 */
export function purgeResultsJob(services: Services): JobHandler {
  return async ({ signal }) => {
    const ctx = makeCtx(services, { type: 'system', job: 'results-purge' });
    const days = services.env.CUSTOS_RESULT_RETENTION_DAYS;
    const before = new Date(ctx.now().getTime() - days * 86_400_000);
    let purged = 0;
    while (!signal.aborted) {
      const runIds = await withTransaction(ctx, async (tx, txCtx) => {
        const due = await tx
          .select({ id: queryRuns.id })
          .from(queryRuns)
          .where(
            and(
              eq(queryRuns.status, 'succeeded'),
              isNull(queryRuns.resultPurgedAt),
              lt(queryRuns.startedAt, before),
              or(isNull(queryRuns.resultKeepUntil), lt(queryRuns.resultKeepUntil, txCtx.now())),
            ),
          )
          .orderBy(queryRuns.startedAt)
          .limit(BATCH)
          .for('update', { skipLocked: true });
        if (!due.length) return [];
        const ids = due.map((r) => r.id);
        // files first: if the transaction then fails, the next purge finds the rows again and marks them
        for (const id of ids) await services.results.remove(id);
        await tx.update(queryRuns).set({ resultPurgedAt: txCtx.now() }).where(sql`${queryRuns.id} IN (${sql.join(ids.map((id) => sql`${id}`), sql`, `)})`);
        await appendJournal(tx, txCtx, { action: 'query.results_purged', subject: null, details: { runIds: ids, retentionDays: days } });
        return ids;
      });
      if (!runIds.length) break;
      purged += runIds.length;
    }
    return { purged };
  };
}
