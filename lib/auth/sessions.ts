import 'server-only';
import { and, eq, isNull } from 'drizzle-orm';
import { authSessions, users, type UserRow } from '@/lib/db/schema';
import { randomUUID } from 'node:crypto';
import { userActor } from '@/lib/actor';
import type { Db } from '@/lib/db/port';
import { appendJournal } from '@/lib/journal/append';

export async function createSession(tx: Db, userId: string, now: Date): Promise<string> {
  const [row] = await tx.insert(authSessions).values({ userId, createdAt: now, lastSeenAt: now }).returning({ id: authSessions.id });
  return row!.id;
}

export type SessionLookup =
  | { state: 'active'; user: UserRow; sessionId: string }
  | { state: 'idle' | 'lifetime'; user: UserRow; sessionId: string }
  | { state: 'ended' };

// Writing last_seen on every request would be wasteful; within this window the session is fresh enough.
const TOUCH_EVERY_MS = 15_000;

// mutation-path: the server ends a session that idled out or whose account was disabled (losing
// access needs no role), each end journaled in its own transaction; the activity heartbeat is
// bookkeeping, not an act of the person.
/**
 * Looks a session up, ending it when idle too long, older than its absolute lifetime or its account
 * disabled, and otherwise refreshing its last activity — unless the request is background polling,
 * which is not the person's activity.
 */
export async function resolveSession(
  db: Db,
  sessionId: string,
  now: Date,
  idleMinutes: number,
  requestId: string = randomUUID(),
  options: { maxAgeHours?: number; activity?: boolean } = {},
): Promise<SessionLookup> {
  const [row] = await db
    .select({ session: authSessions, user: users })
    .from(authSessions)
    .innerJoin(users, eq(users.id, authSessions.userId))
    .where(eq(authSessions.id, sessionId));
  if (!row || row.session.endedAt) return { state: 'ended' };
  const tooOld = options.maxAgeHours !== undefined && now.getTime() - row.session.createdAt.getTime() > options.maxAgeHours * 3_600_000;
  const lapse = row.user.disabled ? 'disabled' : tooOld ? 'lifetime' : now.getTime() - row.session.lastSeenAt.getTime() > idleMinutes * 60_000 ? 'idle' : null;
  if (lapse) {
    const journalCtx = { actor: userActor(row.user, sessionId), now: () => now, requestId };
    await db.transaction(async (tx) => {
      if (!(await endSession(tx as unknown as Db, sessionId, lapse, now))) return;
      await appendJournal(
        tx as unknown as Db,
        journalCtx,
        lapse === 'idle'
          ? { action: 'auth.session_expired', subject: row.user.email, details: { idleMinutes } }
          : { action: 'auth.session_ended', subject: row.user.email, details: lapse === 'lifetime' ? { reason: 'lifetime', maxAgeHours: options.maxAgeHours!, sessionId } : { reason: 'disabled', sessionId } },
      );
    });
    return lapse === 'disabled' ? { state: 'ended' } : { state: lapse, user: row.user, sessionId };
  }
  const idleMs = now.getTime() - row.session.lastSeenAt.getTime();
  if (options.activity !== false && idleMs > TOUCH_EVERY_MS) {
    await db.update(authSessions).set({ lastSeenAt: now }).where(eq(authSessions.id, sessionId));
  }
  return { state: 'active', user: row.user, sessionId };
}

export async function endSession(
  tx: Db,
  sessionId: string,
  reason: 'sign_out' | 'idle' | 'disabled' | 'lifetime',
  now: Date,
): Promise<boolean> {
  const ended = await tx
    .update(authSessions)
    .set({ endedAt: now, endReason: reason })
    .where(and(eq(authSessions.id, sessionId), isNull(authSessions.endedAt)))
    .returning({ id: authSessions.id });
  return ended.length > 0;
}
