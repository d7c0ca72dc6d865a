import 'server-only';
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Ctx } from '@/lib/context';
import type { Db } from '@/lib/db/port';
import { queryRuns } from '@/lib/db/schema';
import { appendJournal } from '@/lib/journal/append';

// Custos's own copies of a study: stored query results whose rows name it (by Study Instance UID
// or accession number). A disposal lists them in its manifest and purges them with the study; the
// run ledger and its hashes stay.

export async function storedResultsNaming(ctx: Ctx, studies: readonly { studyInstanceUid: string; accessionNumber: string | null }[]) {
  const names = new Map<string, string>();
  for (const s of studies) {
    names.set(s.studyInstanceUid, s.studyInstanceUid);
    if (s.accessionNumber) names.set(s.accessionNumber, s.studyInstanceUid);
  }
  const runs = await ctx.db
    .select({ id: queryRuns.id, queryId: queryRuns.queryId })
    .from(queryRuns)
    .where(and(eq(queryRuns.status, 'succeeded'), isNull(queryRuns.resultPurgedAt)))
    .orderBy(queryRuns.startedAt);
  const out: { runId: string; queryId: string; studies: string[] }[] = [];
  for (const run of runs) {
    if (!ctx.services.results.exists(run.id)) continue;
    const found = new Set<string>();
    for await (const row of ctx.services.results.rows(run.id)) {
      for (const cell of row) if (typeof cell === 'string' && names.has(cell)) found.add(names.get(cell)!);
    }
    if (found.size) out.push({ runId: run.id, queryId: run.queryId, studies: [...found].sort() });
  }
  return out;
}

/** Removes the stored results (files first, as the scheduled purge does) and marks them purged, journaled in the caller's transaction. */
export async function purgeStoredResults(tx: Db, ctx: Ctx, runIds: readonly string[]): Promise<number> {
  if (!runIds.length) return 0;
  const open = await tx
    .select({ id: queryRuns.id })
    .from(queryRuns)
    .where(and(inArray(queryRuns.id, [...runIds]), isNull(queryRuns.resultPurgedAt)));
  if (!open.length) return 0;
  const ids = open.map((r) => r.id);
  for (const id of ids) await ctx.services.results.remove(id);
  await tx.update(queryRuns).set({ resultPurgedAt: ctx.now() }).where(sql`${queryRuns.id} IN (${sql.join(ids.map((id) => sql`${id}`), sql`, `)})`);
  await appendJournal(tx, ctx, { action: 'query.results_purged', subject: null, details: { runIds: ids, retentionDays: 0 } });
  return ids.length;
}
