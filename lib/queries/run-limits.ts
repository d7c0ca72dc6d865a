import 'server-only';
import { and, count, eq, gte, sql } from 'drizzle-orm';
import { actorId } from '@/lib/actor';
import type { Ctx } from '@/lib/context';
import type { Db } from '@/lib/db/port';
import { queryRuns } from '@/lib/db/schema';
import { DomainError } from '@/lib/errors';

// Limits on heavy work, below what the engine can take (Athena's concurrency quota; a laptop's
// cores): runs at once per person and portal-wide, and runs per person per hour. Checked with the
// run's insert in one transaction, under locks, so simultaneous submissions cannot slip past.

export type RunLimitBreach = { reason: 'concurrency_user' | 'concurrency_portal' | 'hourly_budget'; message: string };

/** Takes the locks and counts; call inside the transaction that records the run. Null when the run may start. */
export async function runLimitBreach(tx: Db, ctx: Ctx): Promise<RunLimitBreach | null> {
  if (ctx.actor.type !== 'user') return null; // the command line and the portal's own jobs are operators' work
  const env = ctx.services.env;
  const who = actorId(ctx.actor);
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext('custos.runs.portal'))`);
  const running = (where = eq(queryRuns.status, 'running')) => tx.select({ n: count() }).from(queryRuns).where(where);
  const [portal] = await running();
  if ((portal?.n ?? 0) >= env.CUSTOS_MAX_RUNS) {
    return { reason: 'concurrency_portal', message: `The portal is already running ${env.CUSTOS_MAX_RUNS} queries, its limit at once (CUSTOS_MAX_RUNS). Try again in a moment.` };
  }
  const [mine] = await running(and(eq(queryRuns.status, 'running'), eq(queryRuns.actorId, who)));
  if ((mine?.n ?? 0) >= env.CUSTOS_MAX_RUNS_PER_USER) {
    return { reason: 'concurrency_user', message: `You already have ${mine!.n} queries running, the most one person may run at once. Wait for one to finish, or cancel it.` };
  }
  const since = new Date(ctx.now().getTime() - 3_600_000);
  const [lastHour] = await tx.select({ n: count() }).from(queryRuns).where(and(eq(queryRuns.actorId, who), gte(queryRuns.startedAt, since)));
  if ((lastHour?.n ?? 0) >= env.CUSTOS_RUNS_PER_USER_PER_HOUR) {
    return { reason: 'hourly_budget', message: `You have run ${lastHour!.n} queries in the last hour, the most this portal allows (CUSTOS_RUNS_PER_USER_PER_HOUR). Try again later.` };
  }
  return null;
}

export class RunLimitError extends DomainError {
  constructor(readonly breach: RunLimitBreach) {
    super('limit', breach.message);
  }
}
