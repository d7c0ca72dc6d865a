import 'server-only';
import { inArray, sql } from 'drizzle-orm';
import type { Db } from '@/lib/db/port';
import { signInThrottle } from '@/lib/db/schema';

// Sign-in throttling that holds under concurrency. An attempt is counted before its password is
// checked, with the rows of its keys locked, so however many arrive at once no more than the
// allowance are evaluated. Beyond the allowance each key backs off exponentially (a stranger can
// slow an account down, not lock it out), per account name, per client address and portal-wide.

export type ThrottleKind = 'account' | 'source' | 'global';
export type ThrottleKey = { kind: ThrottleKind; key: string; subject: string | null; limit: number };

export type ThrottlePolicy = {
  windowSeconds: number;
  /** The first back-off; each further attempt doubles it, up to maxBackoffSeconds. */
  backoffSeconds: number;
  maxBackoffSeconds: number;
  limits: Record<ThrottleKind, number>;
};

/** A window that closed with more than its first failure: journaled as one aggregated entry. */
export type ClosedWindow = { kind: ThrottleKind; subject: string | null; failures: number; refused: number; from: Date; to: Date };

export type Reservation =
  | { allowed: true; firstFailure: boolean; backoffStarted: { kind: ThrottleKind; subject: string | null; retryAfterSeconds: number }[]; closed: ClosedWindow[] }
  | { allowed: false; retryAfterSeconds: number; blockedBy: ThrottleKind; closed: ClosedWindow[] };

type Row = typeof signInThrottle.$inferSelect;

export function throttleKeys(email: string, sourceIp: string | null, policy: ThrottlePolicy): ThrottleKey[] {
  const keys: ThrottleKey[] = [{ kind: 'account', key: `account:${email}`, subject: email, limit: policy.limits.account }];
  if (sourceIp) keys.push({ kind: 'source', key: `source:${sourceIp}`, subject: sourceIp, limit: policy.limits.source });
  keys.push({ kind: 'global', key: 'global', subject: null, limit: policy.limits.global });
  // rows are locked in key order, so concurrent attempts never wait on each other in a circle
  return keys.sort((a, b) => (a.key < b.key ? -1 : 1));
}

export function backoffSeconds(failuresBeyondLimit: number, policy: ThrottlePolicy): number {
  return Math.min(policy.backoffSeconds * 2 ** Math.max(0, failuresBeyondLimit - 1), policy.maxBackoffSeconds);
}

async function lockRows(tx: Db, keys: ThrottleKey[], now: Date): Promise<Map<string, Row>> {
  await tx
    .insert(signInThrottle)
    .values(keys.map((k) => ({ key: k.key, windowStart: now, failures: 0, refused: 0, nextAttemptAt: now })))
    .onConflictDoNothing();
  const rows = (await tx
    .select()
    .from(signInThrottle)
    .where(inArray(signInThrottle.key, keys.map((k) => k.key)))
    .orderBy(signInThrottle.key)
    .for('update')) as Row[];
  return new Map(rows.map((r) => [r.key, r]));
}

/** Counts one attempt on every key, in the caller's transaction, or refuses it while a key backs off. */
export async function reserveAttempt(tx: Db, keys: ThrottleKey[], policy: ThrottlePolicy, now: Date): Promise<Reservation> {
  const rows = await lockRows(tx, keys, now);
  const closed: ClosedWindow[] = [];
  const windowMs = policy.windowSeconds * 1000;
  for (const k of keys) {
    const row = rows.get(k.key)!;
    if (now.getTime() - row.windowStart.getTime() < windowMs || row.nextAttemptAt > now) continue;
    if (row.failures + row.refused > 1) closed.push({ kind: k.kind, subject: k.subject, failures: row.failures, refused: row.refused, from: row.windowStart, to: now });
    Object.assign(row, { windowStart: now, failures: 0, refused: 0, nextAttemptAt: now });
    if (k.kind === 'global') closed.push(...(await purgeIdle(tx, now, windowMs)));
  }
  const blocking = keys.map((k) => ({ k, row: rows.get(k.key)! })).filter(({ row }) => row.nextAttemptAt > now);
  if (blocking.length) {
    for (const { row } of blocking) row.refused++;
    await save(tx, rows);
    const until = Math.max(...blocking.map(({ row }) => row.nextAttemptAt.getTime()));
    const longest = blocking.find(({ row }) => row.nextAttemptAt.getTime() === until)!;
    return { allowed: false, retryAfterSeconds: Math.ceil((until - now.getTime()) / 1000), blockedBy: longest.k.kind, closed };
  }
  const backoffStarted: Extract<Reservation, { allowed: true }>['backoffStarted'] = [];
  for (const k of keys) {
    const row = rows.get(k.key)!;
    row.failures++;
    if (row.failures >= k.limit) {
      const seconds = backoffSeconds(row.failures - k.limit + 1, policy);
      row.nextAttemptAt = new Date(now.getTime() + seconds * 1000);
      if (row.failures === k.limit) backoffStarted.push({ kind: k.kind, subject: k.subject, retryAfterSeconds: seconds });
    }
  }
  await save(tx, rows);
  return { allowed: true, firstFailure: rows.get(keys.find((k) => k.kind === 'account')!.key)!.failures === 1, backoffStarted, closed };
}

/**
 * A right password, evaluated under a reservation: the attempt was not a failure. The account starts
 * afresh (its window's failures are returned for the journal) and the address and portal counts get
 * their attempt back.
 */
export async function settleSuccess(tx: Db, keys: ThrottleKey[], now: Date): Promise<ClosedWindow[]> {
  const rows = await lockRows(tx, keys, now);
  const account = keys.find((k) => k.kind === 'account')!;
  const accountRow = rows.get(account.key)!;
  const closed: ClosedWindow[] = [];
  if (accountRow.failures - 1 + accountRow.refused > 1) {
    closed.push({ kind: 'account', subject: account.subject, failures: accountRow.failures - 1, refused: accountRow.refused, from: accountRow.windowStart, to: now });
  }
  Object.assign(accountRow, { windowStart: now, failures: 0, refused: 0, nextAttemptAt: now });
  for (const k of keys) if (k.kind !== 'account') rows.get(k.key)!.failures = Math.max(0, rows.get(k.key)!.failures - 1);
  await save(tx, rows);
  return closed;
}

async function save(tx: Db, rows: Map<string, Row>): Promise<void> {
  for (const row of rows.values()) {
    await tx
      .update(signInThrottle)
      .set({ windowStart: row.windowStart, failures: row.failures, refused: row.refused, nextAttemptAt: row.nextAttemptAt })
      .where(sql`${signInThrottle.key} = ${row.key}`);
  }
}

/** Rows of names and addresses whose window ended long ago: removed, their unjournaled failures returned. */
async function purgeIdle(tx: Db, now: Date, windowMs: number): Promise<ClosedWindow[]> {
  const before = new Date(now.getTime() - 2 * windowMs);
  // rows another attempt holds are skipped (purged next time), so the purge never waits on them
  const stale = (
    (await tx.execute(sql`
      DELETE FROM sign_in_throttle WHERE key IN (
        SELECT key FROM sign_in_throttle
        WHERE window_start < ${before} AND next_attempt_at < ${now} AND key <> 'global'
        FOR UPDATE SKIP LOCKED)
      RETURNING key, window_start, failures, refused`)) as unknown as { rows: { key: string; window_start: unknown; failures: number; refused: number }[] }
  ).rows.map((r) => ({ key: r.key, windowStart: new Date(String(r.window_start instanceof Date ? r.window_start.toISOString() : r.window_start)), failures: Number(r.failures), refused: Number(r.refused) }));
  return stale
    .filter((r) => r.failures + r.refused > 1)
    .map((r) => {
      const kind = r.key.startsWith('account:') ? 'account' : 'source';
      return { kind, subject: r.key.slice(kind.length + 1), failures: r.failures, refused: r.refused, from: r.windowStart, to: new Date(r.windowStart.getTime() + windowMs) };
    });
}
