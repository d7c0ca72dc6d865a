import 'server-only';
import { randomUUID } from 'node:crypto';
import { cache } from 'react';
import { cookies, headers } from 'next/headers';
import { forbidden, redirect } from 'next/navigation';
import { decode } from 'next-auth/jwt';
import { env } from '@/lib/config/env';
import { getServices } from '@/lib/config/services';
import type { Ctx } from '@/lib/context';
import { makeCtx } from '@/lib/context-factory';
import { withTransaction } from '@/lib/db/tx';
import { DomainError } from '@/lib/errors';
import { appendJournal } from '@/lib/journal/append';
import type { Actor } from './actor';
import { authSecret } from './secret';
import { journalForbidden } from './authorize';
import { can, type Permission } from './policy';
import { resolveSession } from './sessions';
import { userActor } from './sign-in';

export type UserActor = Actor & { type: 'user' };
type SessionState = { actor: UserActor | null; expired: boolean };

const COOKIE_NAMES = ['__Secure-next-auth.session-token', 'next-auth.session-token'];

async function requestId(): Promise<string> {
  const h = await headers();
  const given = h.get('x-request-id');
  return given && /^[A-Za-z0-9-]{8,64}$/.test(given) ? given : randomUUID();
}

/** The signed-in person for this request, checked against the server-side session (idle expiry). */
export const currentActor = cache(async (): Promise<SessionState> => {
  const jar = await cookies();
  const raw = COOKIE_NAMES.map((n) => jar.get(n)?.value).find(Boolean);
  if (!raw) return { actor: null, expired: false };
  const config = env();
  const token = await decode({ token: raw, secret: authSecret(config) }).catch(() => null);
  const sid = typeof token?.sid === 'string' ? token.sid : null;
  if (!sid) return { actor: null, expired: false };
  const services = await getServices();
  const found = await resolveSession(services.database.db, sid, new Date(), config.CUSTOS_SESSION_IDLE_MINUTES);
  if (found.state === 'active') return { actor: userActor(found.user, found.sessionId) as UserActor, expired: false };
  if (found.state === 'idle') {
    const actor = userActor(found.user, found.sessionId);
    const ctx = makeCtx(services, actor, await requestId());
    await withTransaction(ctx, (tx, txCtx) =>
      appendJournal(tx, txCtx, { action: 'auth.session_expired', subject: found.user.email, details: { idleMinutes: config.CUSTOS_SESSION_IDLE_MINUTES } }),
    );
    return { actor: null, expired: true };
  }
  return { actor: null, expired: false };
});

/** For pages: no session → sign-in; a role without the permission → 403 (journaled). */
export async function requirePage(permission: Permission | null, where: string): Promise<Ctx & { actor: UserActor }> {
  const { actor, expired } = await currentActor();
  if (!actor) redirect(`/sign-in?callbackUrl=${encodeURIComponent(where)}${expired ? '&reason=idle' : ''}`);
  const ctx = makeCtx(await getServices(), actor, await requestId()) as Ctx & { actor: UserActor };
  if (permission && !can(actor, permission)) {
    await journalForbidden(ctx, permission, where);
    forbidden();
  }
  return ctx;
}

/** For server actions and route handlers: a context, or an `unauthenticated` error. */
export async function requestContext(): Promise<Ctx & { actor: UserActor }> {
  const { actor, expired } = await currentActor();
  if (!actor) {
    throw new DomainError('unauthenticated', expired ? 'Your session expired after inactivity. Sign in again.' : 'Sign in to continue.');
  }
  return makeCtx(await getServices(), actor, await requestId()) as Ctx & { actor: UserActor };
}
