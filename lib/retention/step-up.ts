import 'server-only';
import { eq } from 'drizzle-orm';
import type { Ctx } from '@/lib/context';
import { authSessions, users } from '@/lib/db/schema';
import { withTransaction } from '@/lib/db/tx';
import { DomainError, ValidationError } from '@/lib/errors';
import { appendJournal } from '@/lib/journal/append';
import { burnVerification, verifyPassword } from '@/lib/auth/password';
import { throttlePolicy } from '@/lib/auth/sign-in';
import { reserveAttempt, settleSuccess, type ThrottleKey } from '@/lib/auth/throttle';

// Re-authentication just before an approval: a local account types its password again (counted
// and backed off like sign-in); a person from the identity provider must have signed in afresh
// there within the last few minutes.

export const STEP_UP_MINUTES = 5;

export type StepUp = { method: 'password' | 'oidc'; at: Date };

export type StepUpMethod = { method: 'password' } | { method: 'oidc'; freshUntil: string | null };

/** How this person re-authenticates, and (OIDC) until when their sign-in is fresh enough. */
export async function stepUpMethod(ctx: Ctx): Promise<StepUpMethod> {
  if (ctx.actor.type !== 'user') throw new DomainError('forbidden', 'Only a signed-in person can approve.');
  const [user] = await ctx.db.select().from(users).where(eq(users.id, ctx.actor.userId));
  if (user?.source === 'local' && user.passwordHash) return { method: 'password' };
  const [session] = await ctx.db.select().from(authSessions).where(eq(authSessions.id, ctx.actor.sessionId));
  const until = session ? new Date(session.createdAt.getTime() + STEP_UP_MINUTES * 60_000) : null;
  return { method: 'oidc', freshUntil: until && until > ctx.now() ? until.toISOString() : null };
}

// mutation-path: called by verbs that have authorized the actor; a refused password is journaled
// and counted in its own transaction, so the refusal outlives the verb's rollback.
/** Re-authenticates the acting person now, or refuses naming what to do. */
export async function stepUp(ctx: Ctx, password: string | undefined): Promise<StepUp> {
  if (ctx.actor.type !== 'user') throw new DomainError('forbidden', 'Only a signed-in person can approve.');
  const actor = ctx.actor;
  const method = await stepUpMethod(ctx);
  const now = ctx.now();
  if (method.method === 'oidc') {
    if (method.freshUntil) return { method: 'oidc', at: now };
    throw new DomainError('precondition', `Approving needs a fresh sign-in: sign in again with your identity provider, then approve within ${STEP_UP_MINUTES} minutes.`);
  }
  if (!password) throw new ValidationError('Password: enter your password to confirm it is you.', { password: 'Enter your password to confirm it is you.' });
  const policy = throttlePolicy(ctx.services.env);
  const keys: ThrottleKey[] = [{ kind: 'account', key: `step-up:${actor.userId}`, subject: actor.email, limit: policy.limits.account }];
  const reservation = await withTransaction(ctx, (tx) => reserveAttempt(tx, keys, policy, now));
  if (!reservation.allowed) {
    await burnVerification(password);
    throw new DomainError('limit', `Too many wrong passwords: try again in ${Math.ceil(reservation.retryAfterSeconds / 60)} minute(s).`);
  }
  const [user] = await ctx.db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, actor.userId));
  const valid = user?.passwordHash ? await verifyPassword(user.passwordHash, password) : false;
  if (!valid) {
    await withTransaction(ctx, (tx, txCtx) => appendJournal(tx, txCtx, { action: 'retention_request.step_up_failed', subject: actor.email, details: { method: 'password' } }));
    throw new ValidationError('Password: that is not your password.', { password: 'That is not your password.' });
  }
  await withTransaction(ctx, (tx) => settleSuccess(tx, keys, now));
  return { method: 'password', at: now };
}
