import 'server-only';
import { randomUUID } from 'node:crypto';
import type { NextAuthOptions, User } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { env } from '@/lib/config/env';
import { getServices } from '@/lib/boot/services';
import { withTransaction } from '@/lib/db/tx';
import { appendJournal } from '@/lib/journal/append';
import { endSession } from '@/lib/auth/sessions';
import { signInWithPassword } from '@/lib/auth/sign-in';
import { signInWithOidc } from '@/lib/auth/sign-in-oidc';
import { authSecret } from '@/lib/auth/secret';
import { safeCallbackUrl } from '@/lib/auth/sign-in-page';
import { clientAddress } from '@/lib/auth/client-address';
import type { Role } from '@/lib/db/schema/users';
import { makeCtx } from '@/lib/context';

type CustosUser = User & { uid: string; role: string; sessionId: string };

function header(headers: unknown, name: string): string | string[] | undefined {
  if (!headers || typeof headers !== 'object') return undefined;
  return (headers as Record<string, string | string[] | undefined>)[name];
}

/**
 * Where next-auth sends the browser after signing in or out: a page of the portal itself, never
 * another site. next-auth's client parses the answer with `new URL`, so it is absolute (on
 * NEXTAUTH_URL's origin); the sign-in form and the sign-out button navigate by path themselves, so a
 * browser that reached the portal by another name stays on it.
 */
export function portalRedirect({ url, baseUrl }: { url: string; baseUrl: string }): string {
  const home = new URL('/', baseUrl);
  const onPortal = (path: string) => new URL(safeCallbackUrl(path), home).toString();
  if (url.startsWith('/')) return onPortal(url);
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return home.toString();
  }
  return target.origin === home.origin ? onPortal(`${target.pathname}${target.search}${target.hash}`) : home.toString();
}

let cached: NextAuthOptions | undefined;

export function authOptions(): NextAuthOptions {
  if (cached) return cached;
  const config = env();
  const providers: NextAuthOptions['providers'] = [
    CredentialsProvider({
      id: 'credentials',
      name: 'Email and password',
      credentials: {
        email: { label: 'Email', type: 'email' },
        password: { label: 'Password', type: 'password' },
      },
      async authorize(credentials, req) {
        const services = await getServices();
        const result = await signInWithPassword(services, credentials, {
          requestId: randomUUID(),
          sourceIp: clientAddress(header(req?.headers, 'x-forwarded-for'), config.CUSTOS_TRUSTED_PROXY_HOPS) ?? undefined,
        });
        if (!result.ok) {
          // The sign-in page turns these codes into messages.
          throw new Error(result.reason === 'locked' ? `locked:${result.seconds ?? (result.minutes ?? 1) * 60}:${result.key ?? 'account'}` : result.reason);
        }
        const actor = result.actor;
        if (actor.type !== 'user') return null;
        const user: CustosUser = { id: actor.userId, uid: actor.userId, email: actor.email, name: actor.name, role: actor.role, sessionId: actor.sessionId };
        return user;
      },
    }),
  ];
  if (config.oidcEnabled) {
    providers.push({
      id: 'oidc',
      name: config.CUSTOS_OIDC_NAME,
      type: 'oauth',
      wellKnown: `${config.CUSTOS_OIDC_ISSUER!.replace(/\/$/, '')}/.well-known/openid-configuration`,
      clientId: config.CUSTOS_OIDC_CLIENT_ID,
      clientSecret: config.CUSTOS_OIDC_CLIENT_SECRET,
      authorization: { params: { scope: 'openid email profile' } },
      idToken: true,
      // the nonce binds the ID token to this browser's sign-in, as PKCE and state bind the code
      checks: ['pkce', 'state', 'nonce'],
      profile(profile: Record<string, unknown>) {
        return { id: String(profile.sub), email: profile.email_verified === true ? String(profile.email ?? '') : null, name: String(profile.name ?? profile.preferred_username ?? profile.sub) };
      },
    });
  }
  cached = {
    secret: authSecret(config),
    // The cookie is a bearer of the server-side session id; idle expiry is enforced in the database.
    session: { strategy: 'jwt', maxAge: 12 * 60 * 60 },
    pages: { signIn: '/sign-in', error: '/sign-in' },
    providers,
    callbacks: {
      async redirect(params) {
        return portalRedirect(params);
      },
      async signIn({ user, account, profile }) {
        if (account?.provider !== 'oidc') return true;
        const services = await getServices();
        const result = await signInWithOidc(services, (profile ?? {}) as Record<string, unknown>, { requestId: randomUUID() });
        if (!result.ok) return false;
        Object.assign(user, { uid: result.actor.userId, role: result.actor.role, sessionId: result.actor.sessionId });
        return true;
      },
      async jwt({ token, user }) {
        if (user) {
          const u = user as CustosUser;
          token.sid = u.sessionId;
          token.uid = u.uid;
          token.role = u.role;
        }
        return token;
      },
      async session({ session, token }) {
        session.user = { name: session.user?.name ?? null, email: session.user?.email ?? null, role: String(token.role ?? '') };
        return session;
      },
    },
    events: {
      async signOut({ token }) {
        const sid = typeof token?.sid === 'string' ? token.sid : null;
        if (!sid) return;
        const services = await getServices();
        const ctx = makeCtx(services, {
          type: 'user',
          userId: String(token.uid ?? ''),
          email: String(token.email ?? ''),
          name: String(token.name ?? ''),
          role: (token.role ?? 'auditor') as Role,
          sessionId: sid,
        });
        await withTransaction(ctx, async (tx, txCtx) => {
          if (await endSession(tx, sid, 'sign_out', txCtx.now())) {
            await appendJournal(tx, txCtx, { action: 'auth.sign_out', subject: String(token.email ?? ''), details: { sessionId: sid } });
          }
        });
      },
    },
  };
  return cached;
}
