import 'server-only';
import { eq } from 'drizzle-orm';
import { signInThrottle } from '@/lib/db/schema';
import type { Db } from '@/lib/db/port';

export type ThrottlePolicy = { maxFailures: number; lockMinutes: number };

/** Minutes left on a lock, or 0 when sign-in may be attempted. */
export async function lockedMinutes(db: Db, email: string, now: Date): Promise<number> {
  const [row] = await db.select().from(signInThrottle).where(eq(signInThrottle.email, email));
  if (!row?.lockedUntil || row.lockedUntil <= now) return 0;
  return Math.ceil((row.lockedUntil.getTime() - now.getTime()) / 60_000);
}

/** Counts a failure inside a sliding window; the failure that reaches the limit locks the account name. */
export async function recordFailure(tx: Db, email: string, now: Date, policy: ThrottlePolicy): Promise<{ locked: boolean }> {
  const windowMs = policy.lockMinutes * 60_000;
  const [row] = await tx.select().from(signInThrottle).where(eq(signInThrottle.email, email));
  const fresh = !row || now.getTime() - row.firstFailureAt.getTime() > windowMs || (row.lockedUntil !== null && row.lockedUntil <= now);
  const failures = fresh ? 1 : row.failures + 1;
  const locked = failures >= policy.maxFailures;
  const values = {
    failures,
    firstFailureAt: fresh ? now : row.firstFailureAt,
    lockedUntil: locked ? new Date(now.getTime() + windowMs) : null,
  };
  if (row) await tx.update(signInThrottle).set(values).where(eq(signInThrottle.email, email));
  else await tx.insert(signInThrottle).values({ email, ...values });
  return { locked };
}

export async function clearFailures(tx: Db, email: string): Promise<void> {
  await tx.delete(signInThrottle).where(eq(signInThrottle.email, email));
}
