import 'server-only';
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '@/lib/db/port';
import type { JobRow } from '@/lib/db/schema';

// Claiming and keeping a job. Times are the database's clock (now()), so workers on different
// hosts agree on when a lease has expired. SKIP LOCKED lets concurrent workers pass over a row
// another is claiming instead of waiting for it; on PGlite (one connection) claims simply queue.

export type Claimed = { job: JobRow; takenOverFrom: string | null };

type RawJob = Record<string, unknown>;

const date = (v: unknown) => (v === null || v === undefined ? null : v instanceof Date ? v : new Date(String(v)));

function toJobRow(r: RawJob): JobRow {
  return {
    id: String(r.id),
    kind: String(r.kind),
    subject: (r.subject as string | null) ?? null,
    payload: (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as Record<string, unknown>,
    state: r.state as JobRow['state'],
    attempts: Number(r.attempts),
    maxAttempts: Number(r.max_attempts),
    runAfter: date(r.run_after)!,
    leaseOwner: (r.lease_owner as string | null) ?? null,
    leaseExpiresAt: date(r.lease_expires_at),
    heartbeatAt: date(r.heartbeat_at),
    cancelRequested: Boolean(r.cancel_requested),
    progress: (typeof r.progress === 'string' ? JSON.parse(r.progress) : r.progress) as Record<string, unknown> | null,
    result: (typeof r.result === 'string' ? JSON.parse(r.result) : r.result) as Record<string, unknown> | null,
    error: (r.error as string | null) ?? null,
    createdAt: date(r.created_at)!,
    startedAt: date(r.started_at),
    finishedAt: date(r.finished_at),
    createdBy: String(r.created_by),
  };
}

async function rows(db: Db, query: SQL): Promise<RawJob[]> {
  const result = (await db.execute(query)) as unknown as { rows: RawJob[] };
  return result.rows;
}

const leaseFor = (ms: number) => sql`now() + ${ms} * interval '1 millisecond'`;

/** Claims one due job (queued and due, or running under an expired lease), or returns null. */
export async function claimJob(tx: Db, owner: string, leaseMs: number, filter: { kinds?: string[]; id?: string }): Promise<Claimed | null> {
  const conditions: SQL[] = [sql`((state = 'queued' AND run_after <= now()) OR (state = 'running' AND lease_expires_at < now()))`];
  if (filter.kinds) conditions.push(filter.kinds.length ? sql`kind IN (${sql.join(filter.kinds.map((k) => sql`${k}`), sql`, `)})` : sql`false`);
  if (filter.id) conditions.push(sql`id = ${filter.id}`);
  const [row] = await rows(
    tx,
    sql`WITH picked AS (
          SELECT id, state AS prev_state, lease_owner AS prev_owner FROM jobs
          WHERE ${sql.join(conditions, sql` AND `)}
          ORDER BY run_after, created_at
          LIMIT 1
          FOR UPDATE SKIP LOCKED
        )
        UPDATE jobs j SET state = 'running', lease_owner = ${owner}, lease_expires_at = ${leaseFor(leaseMs)},
          heartbeat_at = now(), attempts = j.attempts + 1, started_at = coalesce(j.started_at, now())
        FROM picked WHERE j.id = picked.id
        RETURNING j.*, picked.prev_state, picked.prev_owner`,
  );
  if (!row) return null;
  return { job: toJobRow(row), takenOverFrom: row.prev_state === 'running' ? String(row.prev_owner ?? 'unknown') : null };
}

/** Extends the lease and saves progress; null when the lease is no longer this worker's (taken over, or the job ended). */
export async function renewLease(db: Db, id: string, owner: string, leaseMs: number, progress: Record<string, unknown> | null): Promise<{ cancelRequested: boolean } | null> {
  const [row] = await rows(
    db,
    sql`UPDATE jobs SET lease_expires_at = ${leaseFor(leaseMs)}, heartbeat_at = now(),
          progress = coalesce(${progress === null ? null : JSON.stringify(progress)}::jsonb, progress)
        WHERE id = ${id} AND lease_owner = ${owner} AND state = 'running'
        RETURNING cancel_requested`,
  );
  return row ? { cancelRequested: Boolean(row.cancel_requested) } : null;
}

export type Settlement =
  | { state: 'succeeded'; result: Record<string, unknown> | null }
  | { state: 'failed'; error: string }
  | { state: 'cancelled'; error: string }
  | { state: 'queued'; error: string; retryAfterSeconds: number };

/** Ends this worker's hold on a job; false when the lease was lost first (the new owner settles it). */
export async function settleJob(tx: Db, id: string, owner: string, outcome: Settlement): Promise<boolean> {
  const finished = outcome.state === 'queued' ? sql`NULL` : sql`now()`;
  const runAfter = outcome.state === 'queued' ? sql`now() + ${outcome.retryAfterSeconds} * interval '1 second'` : sql`run_after`;
  const result = outcome.state === 'succeeded' && outcome.result ? JSON.stringify(outcome.result) : null;
  const error = outcome.state === 'succeeded' ? null : outcome.error;
  const settled = await rows(
    tx,
    sql`UPDATE jobs SET state = ${outcome.state}, lease_owner = NULL, lease_expires_at = NULL, finished_at = ${finished},
          run_after = ${runAfter}, result = ${result}::jsonb, error = ${error}
        WHERE id = ${id} AND lease_owner = ${owner} AND state = 'running'
        RETURNING id`,
  );
  return settled.length > 0;
}

/** Reads one job (any state). */
export async function readJob(db: Db, id: string): Promise<JobRow | null> {
  const [row] = await rows(db, sql`SELECT * FROM jobs WHERE id = ${id}`);
  return row ? toJobRow(row) : null;
}

/** Every running job's lease ends now: on the embedded database nothing else can be running them. */
export async function expireLeases(tx: Db): Promise<number> {
  return (await rows(tx, sql`UPDATE jobs SET lease_expires_at = now() WHERE state = 'running' RETURNING id`)).length;
}

/** Asks whoever runs a job to stop (they see it at their next heartbeat); true when the job was still open. */
export async function requestCancel(db: Db, id: string): Promise<boolean> {
  return (await rows(db, sql`UPDATE jobs SET cancel_requested = true WHERE id = ${id} AND state IN ('queued', 'running') RETURNING id`)).length > 0;
}

/** Cancels a job no worker has started yet; false when it is already running or over. */
export async function cancelQueued(tx: Db, id: string): Promise<boolean> {
  return (
    await rows(tx, sql`UPDATE jobs SET state = 'cancelled', cancel_requested = true, finished_at = now(), error = 'cancelled before it started' WHERE id = ${id} AND state = 'queued' RETURNING id`)
  ).length > 0;
}

/** The newest job about a subject (a run, a request), if any. */
export async function latestJobFor(db: Db, subject: string, kind: string): Promise<JobRow | null> {
  const [row] = await rows(db, sql`SELECT * FROM jobs WHERE subject = ${subject} AND kind = ${kind} ORDER BY created_at DESC LIMIT 1`);
  return row ? toJobRow(row) : null;
}
