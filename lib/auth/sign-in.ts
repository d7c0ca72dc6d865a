import 'server-only';
import { eq } from 'drizzle-orm';
import { userActor } from '@/lib/actor';
import { z } from 'zod';
import { withTransaction } from '@/lib/db/tx';
import { users, type UserRow } from '@/lib/db/schema';
import { appendJournal } from '@/lib/journal/append';
import type { Actor } from '@/lib/actor';
import { burnVerification, verifyPassword } from './password';
import { createSession } from './sessions';
import { clearFailures, lockedMinutes, recordFailure } from './throttle';
import { type Services, makeCtx } from '@/lib/context';

export type SignInResult =
  | { ok: true; user: UserRow; sessionId: string; actor: Actor }
  | { ok: false; reason: 'invalid' | 'locked' | 'demo_disabled'; minutes?: number };

const Credentials = z.object({
  email: z.string().trim().toLowerCase().min(3).max(254),
  password: z.string().min(1).max(1024),
});

const signInDesk: Actor = { type: 'system', job: 'sign-in' };


// mutation-path: sign-in is the step that establishes who acts; every outcome is journaled.
/** Checks local credentials, throttling repeated failures per account name; every outcome is journaled. */
export async function signInWithPassword(
  services: Services,
  raw: unknown,
  meta: { requestId: string; sourceIp?: string },
): Promise<SignInResult> {
  const parsed = Credentials.safeParse(raw);
  const ctx = makeCtx(services, signInDesk, meta.requestId);
  const now = ctx.now();
  const source: Record<string, string> = meta.sourceIp ? { sourceIp: meta.sourceIp } : {};
  if (!parsed.success) return { ok: false, reason: 'invalid' };
  const { email, password } = parsed.data;
  const { env } = services;

  const minutes = await lockedMinutes(ctx.db, email, now);
  if (minutes > 0) {
    await withTransaction(ctx, (tx, txCtx) =>
      appendJournal(tx, txCtx, { action: 'auth.sign_in_throttled', subject: email, details: { minutesLeft: minutes, ...source } }),
    );
    return { ok: false, reason: 'locked', minutes };
  }

  const [user] = await ctx.db.select().from(users).where(eq(users.email, email));
  let valid = false;
  if (user?.passwordHash) valid = await verifyPassword(user.passwordHash, password);
  else await burnVerification(password);

  if (!user || !valid || user.disabled) {
    const { locked } = await withTransaction(ctx, async (tx, txCtx) => {
      const outcome = await recordFailure(tx, email, now, {
        maxFailures: env.CUSTOS_SIGNIN_MAX_FAILURES,
        lockMinutes: env.CUSTOS_SIGNIN_LOCK_MINUTES,
      });
      await appendJournal(tx, txCtx, {
        action: 'auth.sign_in_failed',
        subject: email,
        details: { reason: !user ? 'unknown_account' : user.disabled ? 'disabled' : 'bad_password', ...source },
      });
      if (outcome.locked) {
        await appendJournal(tx, txCtx, {
          action: 'auth.sign_in_throttled',
          subject: email,
          details: { minutesLeft: env.CUSTOS_SIGNIN_LOCK_MINUTES, ...source },
        });
      }
      return outcome;
    });
    return locked ? { ok: false, reason: 'locked', minutes: env.CUSTOS_SIGNIN_LOCK_MINUTES } : { ok: false, reason: 'invalid' };
  }

  if (user.demo && !env.demoAccounts) {
    await withTransaction(ctx, (tx, txCtx) =>
      appendJournal(tx, txCtx, { action: 'auth.sign_in_failed', subject: email, details: { reason: 'demo_disabled', ...source } }),
    );
    return { ok: false, reason: 'demo_disabled' };
  }

  return withTransaction(ctx, async (tx, txCtx) => {
    await clearFailures(tx, email);
    const sessionId = await createSession(tx, user.id, now);
    await tx.update(users).set({ lastSignInAt: now }).where(eq(users.id, user.id));
    const actor = userActor(user, sessionId);
    await appendJournal(tx, { ...txCtx, actor }, { action: 'auth.sign_in', subject: user.email, details: { method: 'password', ...source } });
    return { ok: true, user, sessionId, actor };
  });
}
