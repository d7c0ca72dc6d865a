import 'server-only';
import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '@/lib/db/client';
import { authSessions, users, type UserRow } from '@/lib/db/schema';

export async function createSession(db: Db, userId: string, now: Date): Promise<string> {
  const [row] = await db.insert(authSessions).values({ userId, createdAt: now, lastSeenAt: now }).returning({ id: authSessions.id });
  return row!.id;
}

export type SessionLookup =
  | { state: 'active'; user: UserRow; sessionId: string }
  | { state: 'idle'; user: UserRow; sessionId: string }
  | { state: 'ended' };

// Writing last_seen on every request would be wasteful; within this window the session is fresh enough.
const TOUCH_EVERY_MS = 15_000;

/** Looks a session up, expiring it when idle too long and refreshing its last activity otherwise. */
export async function resolveSession(db: Db, sessionId: string, now: Date, idleMinutes: number): Promise<SessionLookup> {
  const [row] = await db
    .select({ session: authSessions, user: users })
    .from(authSessions)
    .innerJoin(users, eq(users.id, authSessions.userId))
    .where(eq(authSessions.id, sessionId));
  if (!row || row.session.endedAt) return { state: 'ended' };
  if (row.user.disabled) {
    await endSession(db, sessionId, 'disabled', now);
    return { state: 'ended' };
  }
  const idleMs = now.getTime() - row.session.lastSeenAt.getTime();
  if (idleMs > idleMinutes * 60_000) {
    await endSession(db, sessionId, 'idle', now);
    return { state: 'idle', user: row.user, sessionId };
  }
  if (idleMs > TOUCH_EVERY_MS) {
    await db.update(authSessions).set({ lastSeenAt: now }).where(eq(authSessions.id, sessionId));
  }
  return { state: 'active', user: row.user, sessionId };
}

export async function endSession(
  db: Db,
  sessionId: string,
  reason: 'sign_out' | 'idle' | 'disabled',
  now: Date,
): Promise<boolean> {
  const ended = await db
    .update(authSessions)
    .set({ endedAt: now, endReason: reason })
    .where(and(eq(authSessions.id, sessionId), isNull(authSessions.endedAt)))
    .returning({ id: authSessions.id });
  return ended.length > 0;
}
