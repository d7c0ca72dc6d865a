import 'server-only';
import { randomUUID } from 'node:crypto';
import { cache } from 'react';
import { cookies, headers } from 'next/headers';
import { forbidden, redirect } from 'next/navigation';
import { decode } from 'next-auth/jwt';
import { env, servedOverHttps } from '@/lib/config/env';
import { getServices } from '@/lib/boot/services';
import type { Ctx } from '@/lib/context';
import { DomainError } from '@/lib/errors';
import type { Actor } from '@/lib/actor';
import { authSecret } from '@/lib/auth/secret';
import { journalForbidden } from '@/lib/auth/authorize';
import { can } from '@/lib/auth/policy';
import { PAGES, type Guard, type PageRoute } from './routes';
import { resolveSession } from '@/lib/auth/sessions';
import { makeCtx } from '@/lib/context';
import { userActor } from '@/lib/actor';

export type UserActor = Actor & { type: 'user' };
type SessionState = { actor: UserActor | null; expired: 'idle' | 'lifetime' | null };

const SECURE_COOKIE = '__Secure-next-auth.session-token';
const PLAIN_COOKIE = 'next-auth.session-token';

/**
 * The session cookie's name. Over https only the __Secure- one counts: a plain-named cookie could have
 * been planted from an http or sibling origin (cookie tossing) to sign the browser into someone else's session.
 */
export function sessionCookieNames(https: boolean): string[] {
  return https ? [SECURE_COOKIE] : [SECURE_COOKIE, PLAIN_COOKIE];
}

async function requestId(): Promise<string> {
  const h = await headers();
  const given = h.get('x-request-id');
  return given && /^[A-Za-z0-9-]{8,64}$/.test(given) ? given : randomUUID();
}

/**
 * The signed-in person for this request, checked against the server-side session (idle expiry,
 * absolute lifetime). `activity: false` for background polling, which does not keep a session alive.
 */
export const currentActor = cache(async (activity: boolean = true): Promise<SessionState> => {
  const jar = await cookies();
  const config = env();
  const raw = sessionCookieNames(servedOverHttps(config)).map((n) => jar.get(n)?.value).find(Boolean);
  if (!raw) return { actor: null, expired: null };
  const token = await decode({ token: raw, secret: authSecret(config) }).catch(() => null);
  const sid = typeof token?.sid === 'string' ? token.sid : null;
  if (!sid) return { actor: null, expired: null };
  const services = await getServices();
  const found = await resolveSession(services.database.db, sid, new Date(), config.CUSTOS_SESSION_IDLE_MINUTES, await requestId(), {
    maxAgeHours: config.CUSTOS_SESSION_MAX_HOURS,
    activity,
  });
  if (found.state === 'active') return { actor: userActor(found.user, found.sessionId) as UserActor, expired: null };
  if (found.state === 'idle' || found.state === 'lifetime') return { actor: null, expired: found.state };
  return { actor: null, expired: null };
});

/**
 * For pages: no session → sign-in; a role without the page's permission (lib/web/routes.ts) → 403,
 * journaled. `path` is the address asked for, to come back to after signing in.
 */
export async function requirePage(route: PageRoute, path: string): Promise<Ctx & { actor: UserActor }> {
  const { actor, expired } = await currentActor();
  if (!actor) redirect(`/sign-in?callbackUrl=${encodeURIComponent(path)}${expired ? `&reason=${expired}` : ''}`);
  const ctx = makeCtx(await getServices(), actor, await requestId()) as Ctx & { actor: UserActor };
  const { permission } = PAGES[route] as Guard;
  if (permission && !can(actor, permission)) {
    await journalForbidden(ctx, permission, path);
    forbidden();
  }
  return ctx;
}

/** For server actions and route handlers: a context, or an `unauthenticated` error. */
export async function requestContext(options: { activity?: boolean } = {}): Promise<Ctx & { actor: UserActor }> {
  const { actor, expired } = await currentActor(options.activity ?? true);
  if (!actor) {
    const why = expired === 'idle' ? 'Your session expired after inactivity. ' : expired === 'lifetime' ? 'Your session reached its time limit. ' : '';
    throw new DomainError('unauthenticated', `${why}Sign in${why ? ' again' : ''} to continue.`);
  }
  return makeCtx(await getServices(), actor, await requestId()) as Ctx & { actor: UserActor };
}
