import 'server-only';
import { and, eq, lt } from 'drizzle-orm';
import { ensureDemoAccounts } from '@/lib/auth/demo-accounts';
import { queryRuns } from '@/lib/db/schema';
import type { Services } from './services';

/** Start-up housekeeping after migrations: demo accounts (embedded default) and runs a crash interrupted. */
export async function prepareDatabase(services: Services): Promise<void> {
  const { db } = services.database;
  if (services.env.demoAccounts) await ensureDemoAccounts(db, services.env.CUSTOS_DEMO_PASSWORD);
  // The embedded database has one process, so any run still marked running was cut off; with
  // PostgreSQL other portal processes may be running queries, so only long-stale runs are closed.
  const staleBefore =
    services.database.kind === 'pglite' ? new Date() : new Date(Date.now() - 2 * services.env.CUSTOS_ATHENA_TIMEOUT_SECONDS * 1000);
  await db
    .update(queryRuns)
    .set({ status: 'failed', error: 'Interrupted: the portal stopped while this query ran.', finishedAt: new Date() })
    .where(and(eq(queryRuns.status, 'running'), lt(queryRuns.startedAt, staleBefore)));
}
