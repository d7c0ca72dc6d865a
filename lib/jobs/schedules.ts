import 'server-only';
import { sql } from 'drizzle-orm';
import type { Actor } from '@/lib/actor';
import type { Db } from '@/lib/db/port';
import { jobSchedules } from '@/lib/db/schema';
import { enqueueJob } from './enqueue';

// Recurring jobs: each kind has an interval or a daily UTC time; its next due time lives in the
// table, so of many workers exactly one enqueues each occurrence (the row is locked while it does).

export type Schedule = { kind: string; payload?: Record<string, unknown> } & ({ intervalSeconds: number } | { dailyAt: string });

const SCHEDULER: Actor = { type: 'system', job: 'scheduler' };
const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** The next time a schedule is due after `now`. */
export function nextRunAfter(schedule: { intervalSeconds: number | null; dailyAt: string | null }, now: Date): Date {
  if (schedule.intervalSeconds) return new Date(now.getTime() + schedule.intervalSeconds * 1000);
  const m = HH_MM.exec(schedule.dailyAt ?? '');
  if (!m) throw new Error(`a schedule needs an interval or a daily HH:MM time, got ${schedule.dailyAt}`);
  const at = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), Number(m[1]), Number(m[2])));
  return at > now ? at : new Date(at.getTime() + 86_400_000);
}

/** The schedule a setting asks for: 'off' (null), a daily UTC time HH:MM, or an interval such as 30m or 6h. */
export function scheduleFromSetting(kind: string, value: string, payload?: Record<string, unknown>): Schedule | null {
  if (value === 'off') return null;
  const interval = /^(\d+)([mh])$/.exec(value);
  if (interval) return { kind, payload, intervalSeconds: Math.max(1, Number(interval[1])) * (interval[2] === 'h' ? 3600 : 60) };
  return { kind, payload, dailyAt: value };
}

// mutation-path: schedules are the portal's own configuration, set at start by the composition root.
/** Creates or updates a recurring job; a changed interval or time takes effect from its next run. */
export async function ensureSchedule(tx: Db, schedule: Schedule): Promise<void> {
  const intervalSeconds = 'intervalSeconds' in schedule ? schedule.intervalSeconds : null;
  const dailyAt = 'dailyAt' in schedule ? schedule.dailyAt : null;
  const next = nextRunAfter({ intervalSeconds, dailyAt }, new Date());
  await tx
    .insert(jobSchedules)
    .values({ kind: schedule.kind, intervalSeconds, dailyAt, payload: schedule.payload ?? {}, nextRunAt: next })
    .onConflictDoUpdate({
      target: jobSchedules.kind,
      set: {
        intervalSeconds,
        dailyAt,
        payload: schedule.payload ?? {},
        // keep the due time unless the cadence changed
        nextRunAt: sql`CASE WHEN ${jobSchedules.intervalSeconds} IS NOT DISTINCT FROM ${intervalSeconds} AND ${jobSchedules.dailyAt} IS NOT DISTINCT FROM ${dailyAt} THEN ${jobSchedules.nextRunAt} ELSE ${next} END`,
      },
    });
}

/** Enqueues a job of `kind` for the portal itself unless one is queued or running; false when one was. */
export async function enqueueUnlessOpen(db: Db, kind: string): Promise<boolean> {
  return db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db;
    // one at a time per kind, across workers: the lock is held to the end of this transaction
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`custos.jobs.${kind}`}))`);
    const open = (await tx.execute(sql`SELECT 1 FROM jobs WHERE kind = ${kind} AND state IN ('queued', 'running') LIMIT 1`)) as unknown as { rows: unknown[] };
    if (open.rows.length) return false;
    const now = new Date();
    await enqueueJob(tx, { actor: SCHEDULER, now: () => now, requestId: `trigger:${kind}` }, { kind, subject: `trigger:${kind}` });
    return true;
  });
}

/** Enqueues each recurring job whose time has come, once, unless one of that kind is still open. Returns how many. */
export async function enqueueDueSchedules(db: Db): Promise<number> {
  return db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db;
    const due = (
      (await tx.execute(
        sql`SELECT kind, interval_seconds, daily_at, payload, now() AS now FROM job_schedules
            WHERE enabled AND next_run_at <= now() FOR UPDATE SKIP LOCKED`,
      )) as unknown as { rows: { kind: string; interval_seconds: number | null; daily_at: string | null; payload: unknown; now: unknown }[] }
    ).rows;
    let enqueued = 0;
    for (const row of due) {
      const now = row.now instanceof Date ? row.now : new Date(String(row.now));
      const next = nextRunAfter({ intervalSeconds: row.interval_seconds, dailyAt: row.daily_at }, now);
      await tx.execute(sql`UPDATE job_schedules SET next_run_at = ${next}, last_enqueued_at = now() WHERE kind = ${row.kind}`);
      const open = (await tx.execute(sql`SELECT 1 FROM jobs WHERE kind = ${row.kind} AND state IN ('queued', 'running') LIMIT 1`)) as unknown as { rows: unknown[] };
      if (open.rows.length) continue;
      const payload = (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as Record<string, unknown>;
      await enqueueJob(tx, { actor: SCHEDULER, now: () => now, requestId: `schedule:${row.kind}` }, { kind: row.kind, payload, subject: `schedule:${row.kind}` });
      enqueued++;
    }
    return enqueued;
  });
}
