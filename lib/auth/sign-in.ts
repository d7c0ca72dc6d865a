import 'server-only';
import { and, eq } from 'drizzle-orm';
import { userActor } from '@/lib/actor';
import { z } from 'zod';
import { withTransaction } from '@/lib/db/tx';
import { users, type UserRow } from '@/lib/db/schema';
import { appendJournal } from '@/lib/journal/append';
import type { Actor } from '@/lib/actor';
import { burnVerification, verifyPassword } from './password';
import { createSession } from './sessions';
import { reserveAttempt, settleSuccess, throttleKeys, type ClosedWindow, type ThrottleKind, type ThrottlePolicy } from './throttle';
import { type Ctx, type Services, makeCtx } from '@/lib/context';
import type { Env } from '@/lib/config/env';
import type { Db } from '@/lib/db/port';

export type SignInResult =
  | { ok: true; user: UserRow; sessionId: string; actor: Actor }
  | { ok: false; reason: 'invalid' | 'locked' | 'demo_disabled'; minutes?: number; seconds?: number; key?: ThrottleKind };

const Credentials = z.object({
  email: z.string().trim().toLowerCase().min(3).max(254),
  password: z.string().min(1).max(1024),
});

const signInDesk: Actor = { type: 'system', job: 'sign-in' };


// mutation-path: sign-in is the step that establishes who acts; every outcome is journaled.
/** Checks local credentials, throttled per account name, client address and portal-wide; outcomes are journaled. */
export async function signInWithPassword(
  services: Services,
  raw: unknown,
  meta: { requestId: string; sourceIp?: string; /** The clock, for tests of windows and back-off. */ now?: Date },
): Promise<SignInResult> {
  const parsed = Credentials.safeParse(raw);
  const ctx = makeCtx(services, signInDesk, meta.requestId);
  const now = meta.now ?? ctx.now();
  const source: Record<string, string> = meta.sourceIp ? { sourceIp: meta.sourceIp } : {};
  if (!parsed.success) return { ok: false, reason: 'invalid' };
  const { email, password } = parsed.data;
  const { env } = services;

  const policy = throttlePolicy(env);
  const keys = throttleKeys(email, meta.sourceIp ?? null, policy);
  const reservation = await withTransaction(ctx, async (tx, txCtx) => {
    const r = await reserveAttempt(tx, keys, policy, now);
    await journalClosedWindows(tx, txCtx, r.closed);
    if (r.allowed) {
      for (const b of r.backoffStarted) {
        await appendJournal(tx, txCtx, { action: 'auth.sign_in_throttled', subject: b.subject, details: { key: b.kind, retryAfterSeconds: b.retryAfterSeconds, ...source } });
      }
    }
    return r;
  });
  if (!reservation.allowed) return { ok: false, reason: 'locked', minutes: Math.ceil(reservation.retryAfterSeconds / 60), seconds: reservation.retryAfterSeconds, key: reservation.blockedBy };

  // only local accounts sign in with a password; a person from the identity provider never does
  const [user] = await ctx.db.select().from(users).where(and(eq(users.email, email), eq(users.source, 'local')));
  let valid = false;
  if (user?.passwordHash) valid = await verifyPassword(user.passwordHash, password);
  else await burnVerification(password);

  if (!user || !valid || user.disabled) {
    // Only the first failure of an account's window is journaled on its own; the rest are counted and
    // journaled together when the window closes, so unauthenticated traffic cannot grow the journal without bound.
    if (reservation.firstFailure) {
      await withTransaction(ctx, (tx, txCtx) =>
        appendJournal(tx, txCtx, {
          action: 'auth.sign_in_failed',
          subject: email,
          details: { reason: !user ? 'unknown_account' : user.disabled ? 'disabled' : 'bad_password', ...source },
        }),
      );
    }
    // the failure that used up the allowance says so at once, rather than at the next attempt
    const backoff = reservation.backoffStarted.find((b) => b.kind === 'account') ?? reservation.backoffStarted[0];
    if (backoff) return { ok: false, reason: 'locked', minutes: Math.ceil(backoff.retryAfterSeconds / 60), seconds: backoff.retryAfterSeconds, key: backoff.kind };
    return { ok: false, reason: 'invalid' };
  }

  if (user.demo && !env.demoAccounts) {
    await withTransaction(ctx, (tx, txCtx) =>
      appendJournal(tx, txCtx, { action: 'auth.sign_in_failed', subject: email, details: { reason: 'demo_disabled', ...source } }),
    );
    return { ok: false, reason: 'demo_disabled' };
  }

  return withTransaction(ctx, async (tx, txCtx) => {
    await journalClosedWindows(tx, txCtx, await settleSuccess(tx, keys, now));
    // re-checked under the transaction: an account disabled while its password was being checked stays out
    const [current] = await tx.select({ disabled: users.disabled }).from(users).where(eq(users.id, user.id)).for('update');
    if (!current || current.disabled) return { ok: false, reason: 'invalid' } as const;
    const sessionId = await createSession(tx, user.id, now);
    await tx.update(users).set({ lastSignInAt: now }).where(eq(users.id, user.id));
    const actor = userActor(user, sessionId);
    await appendJournal(tx, { ...txCtx, actor }, { action: 'auth.sign_in', subject: user.email, details: { method: 'password', ...source } });
    return { ok: true, user, sessionId, actor };
  });
}

async function journalClosedWindows(tx: Db, ctx: Ctx, closed: ClosedWindow[]): Promise<void> {
  for (const w of closed) {
    await appendJournal(tx, ctx, {
      action: 'auth.sign_in_failures',
      subject: w.subject,
      details: { key: w.kind, failures: w.failures, refused: w.refused, from: w.from.toISOString(), to: w.to.toISOString() },
    });
  }
}

export function throttlePolicy(env: Env): ThrottlePolicy {
  return {
    windowSeconds: env.CUSTOS_SIGNIN_LOCK_MINUTES * 60,
    backoffSeconds: env.CUSTOS_SIGNIN_BACKOFF_SECONDS,
    maxBackoffSeconds: env.CUSTOS_SIGNIN_LOCK_MINUTES * 60,
    limits: { account: env.CUSTOS_SIGNIN_MAX_FAILURES, source: env.CUSTOS_SIGNIN_MAX_FAILURES_PER_SOURCE, global: env.CUSTOS_SIGNIN_MAX_FAILURES_GLOBAL },
  };
}
