import 'server-only';
import { and, desc, eq, lt, sql } from 'drizzle-orm';
import { ensureDemoAccounts } from '@/lib/auth/demo-accounts';
import { makeCtx, type Services } from '@/lib/context';
import { canonicalize } from '@/lib/canonical';
import { journal, queryRuns } from '@/lib/db/schema';
import { withTransaction } from '@/lib/db/tx';
import { expireLeases } from '@/lib/jobs/lease';
import { ensureSchedule, type Schedule } from '@/lib/jobs/schedules';
import { syncAccessIndexSchedule } from '@/lib/admin/refresh-access-index';
import { syncPostureSchedule } from '@/lib/posture/refresh-posture';
import { RESULTS_PURGE_JOB } from '@/lib/queries/purge-results';
import { appendJournal } from '@/lib/journal/append';
import { extraQueries } from '@/lib/queries/registry';

/** The portal's recurring jobs (any worker enqueues each occurrence once). */
const SCHEDULES: Schedule[] = [{ kind: RESULTS_PURGE_JOB, dailyAt: '03:15' }];

// mutation-path: start-up housekeeping is the portal acting on its own (the system actor), before
// anyone signs in; each step and its journal entry are one transaction, journaled only when it changed something.
/** Start-up housekeeping after migrations: demo accounts (embedded default) and work a stop interrupted. */
export async function prepareDatabase(services: Services): Promise<void> {
  const ctx = makeCtx(services, { type: 'system', job: 'start-up' });
  if (services.env.demoAccounts) {
    await withTransaction(ctx, async (tx, txCtx) => {
      const seeded = await ensureDemoAccounts(tx, services.env.CUSTOS_DEMO_PASSWORD);
      if (seeded.created || seeded.passwordsReset) await appendJournal(tx, txCtx, { action: 'user.seed_demo', subject: null, details: seeded });
    });
  }
  await withTransaction(ctx, async (tx) => {
    for (const schedule of SCHEDULES) await ensureSchedule(tx, schedule);
    await syncPostureSchedule(tx, services.env);
    await syncAccessIndexSchedule(tx, services.env);
  });
  // Loading the registry here stops a start with a bad query file; the site's own queries are code,
  // so which ones run (by SQL hash) is journaled whenever that differs from the last record.
  const extra = extraQueries();
  await withTransaction(ctx, async (tx, txCtx) => {
    const details = { dir: extra?.dir ?? null, queries: extra?.queries ?? [] };
    const [last] = await tx.select({ details: journal.details }).from(journal).where(eq(journal.action, 'query.extra_loaded')).orderBy(desc(journal.seq)).limit(1);
    if (last ? canonicalize(last.details) !== canonicalize(details) : extra !== null) {
      await appendJournal(tx, txCtx, { action: 'query.extra_loaded', subject: null, details });
    }
  });
  // The embedded database has one process: jobs it was running when it stopped are taken over (and
  // their runs resumed) by this start's worker at once rather than after their lease. With
  // PostgreSQL other portal processes may be running them, so leases simply run out.
  const embedded = services.database.kind === 'pglite';
  if (embedded) await expireLeases(services.database.db);
  // Runs with no open job to finish them (recorded before jobs existed, or whose job ended without
  // settling the run) are closed as interrupted.
  const staleBefore = embedded ? new Date() : new Date(Date.now() - 2 * services.env.CUSTOS_ATHENA_TIMEOUT_SECONDS * 1000);
  await withTransaction(ctx, async (tx, txCtx) => {
    const closed = await tx
      .update(queryRuns)
      .set({ status: 'failed', error: 'Interrupted: the portal stopped while this query ran.', finishedAt: txCtx.now() })
      .where(
        and(
          eq(queryRuns.status, 'running'),
          lt(queryRuns.startedAt, staleBefore),
          sql`NOT EXISTS (SELECT 1 FROM jobs WHERE jobs.subject = ${queryRuns.id}::text AND jobs.state IN ('queued', 'running'))`,
        ),
      )
      .returning({ id: queryRuns.id });
    if (closed.length) await appendJournal(tx, txCtx, { action: 'query.runs_interrupted', subject: null, details: { runIds: closed.map((r) => r.id) } });
  });
}
