import 'server-only';
import { and, eq } from 'drizzle-orm';
import { withTransaction } from '@/lib/db/tx';
import { users } from '@/lib/db/schema';
import { appendJournal } from '@/lib/journal/append';
import type { Actor } from '@/lib/actor';
import { parseRoleMap, roleFromClaims } from './oidc-roles';
import { createSession } from './sessions';
import { type Services, makeCtx } from '@/lib/context';
import { userActor } from '@/lib/actor';

export type OidcSignIn = { ok: true; actor: Actor & { type: 'user' } } | { ok: false; reason: 'no_role' | 'no_subject' | 'disabled' };

// mutation-path: sign-in is the step that establishes who acts; every outcome is journaled.
/** A person the identity provider vouched for: their role comes from the claim mapping at every sign-in. */
export async function signInWithOidc(
  services: Services,
  claims: Record<string, unknown>,
  meta: { requestId: string },
): Promise<OidcSignIn> {
  const ctx = makeCtx(services, { type: 'system', job: 'sign-in' }, meta.requestId);
  const issuer = services.env.CUSTOS_OIDC_ISSUER!.replace(/\/$/, '');
  const subject = typeof claims.sub === 'string' && claims.sub.trim() ? claims.sub.trim() : '';
  // An email is shown (and journaled) only when the provider vouches for it.
  const email = claims.email_verified === true && typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : '';
  const username = typeof claims.preferred_username === 'string' ? claims.preferred_username.trim() : '';
  const label = email || username || (typeof claims.name === 'string' ? claims.name.trim() : '') || subject;
  const role = roleFromClaims(claims, services.env.CUSTOS_OIDC_ROLE_CLAIM, parseRoleMap(services.env.CUSTOS_OIDC_ROLE_MAP));
  const reason = !subject ? 'no_subject' : !role ? 'no_role' : null;
  if (reason || !role) {
    await withTransaction(ctx, (tx, txCtx) =>
      appendJournal(tx, txCtx, { action: 'auth.sign_in_failed', subject: label || null, details: { method: 'oidc', reason: reason ?? 'no_role' } }),
    );
    return { ok: false, reason: reason ?? 'no_role' };
  }
  const name = typeof claims.name === 'string' && claims.name.trim() ? claims.name.trim() : label;
  return withTransaction(ctx, async (tx, txCtx) => {
    const now = txCtx.now();
    const [existing] = await tx
      .select()
      .from(users)
      .where(and(eq(users.oidcIssuer, issuer), eq(users.oidcSubject, subject)))
      .for('update');
    if (existing?.disabled) {
      await appendJournal(tx, txCtx, { action: 'auth.sign_in_failed', subject: label, details: { method: 'oidc', reason: 'disabled' } });
      return { ok: false, reason: 'disabled' } as const;
    }
    // the role follows the groups claim at every sign-in
    const [user] = existing
      ? await tx.update(users).set({ role, name, email: label, lastSignInAt: now }).where(eq(users.id, existing.id)).returning()
      : await tx.insert(users).values({ email: label, name, role, source: 'oidc', oidcIssuer: issuer, oidcSubject: subject, lastSignInAt: now }).returning();
    const sessionId = await createSession(tx, user!.id, now);
    const actor = userActor(user!, sessionId) as Actor & { type: 'user' };
    await appendJournal(tx, { ...txCtx, actor }, { action: 'auth.sign_in', subject: label, details: { method: 'oidc', role } });
    return { ok: true, actor } as const;
  });
}
