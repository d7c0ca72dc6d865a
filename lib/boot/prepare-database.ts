import 'server-only';
import { and, eq, lt } from 'drizzle-orm';
import { ensureDemoAccounts } from '@/lib/auth/demo-accounts';
import { makeCtx, type Services } from '@/lib/context';
import { queryRuns } from '@/lib/db/schema';
import { withTransaction } from '@/lib/db/tx';
import { appendJournal } from '@/lib/journal/append';

// mutation-path: start-up housekeeping is the portal acting on its own (the system actor), before
// anyone signs in; each step and its journal entry are one transaction, journaled only when it changed something.
/** Start-up housekeeping after migrations: demo accounts (embedded default) and runs a crash interrupted. */
export async function prepareDatabase(services: Services): Promise<void> {
  const ctx = makeCtx(services, { type: 'system', job: 'start-up' });
  if (services.env.demoAccounts) {
    await withTransaction(ctx, async (tx, txCtx) => {
      const seeded = await ensureDemoAccounts(tx, services.env.CUSTOS_DEMO_PASSWORD);
      if (seeded.created || seeded.passwordsReset) await appendJournal(tx, txCtx, { action: 'user.seed_demo', subject: null, details: seeded });
    });
  }
  // The embedded database has one process, so any run still marked running was cut off; with
  // PostgreSQL other portal processes may be running queries, so only long-stale runs are closed.
  const staleBefore =
    services.database.kind === 'pglite' ? new Date() : new Date(Date.now() - 2 * services.env.CUSTOS_ATHENA_TIMEOUT_SECONDS * 1000);
  await withTransaction(ctx, async (tx, txCtx) => {
    const closed = await tx
      .update(queryRuns)
      .set({ status: 'failed', error: 'Interrupted: the portal stopped while this query ran.', finishedAt: txCtx.now() })
      .where(and(eq(queryRuns.status, 'running'), lt(queryRuns.startedAt, staleBefore)))
      .returning({ id: queryRuns.id });
    if (closed.length) await appendJournal(tx, txCtx, { action: 'query.runs_interrupted', subject: null, details: { runIds: closed.map((r) => r.id) } });
  });
}
