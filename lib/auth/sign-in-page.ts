import 'server-only';
import { DEFAULT_DEMO_PASSWORD, env, type Env } from '@/lib/config/env';
import { DEMO_ACCOUNTS } from './demo-accounts';
import { ROLE_LABELS } from './policy';

export type SignInPageInfo = {
  demo: { enabled: true; accounts: { email: string; role: string }[]; password: string | null } | { enabled: false; reason: string } | null;
  oidc: { name: string } | null;
};

/** What the sign-in page may say about how to sign in (no secrets beyond the documented demo password). */
export function signInPageInfo(): SignInPageInfo {
  const config = env();
  const oidc = config.oidcEnabled ? { name: config.CUSTOS_OIDC_NAME } : null;
  if (config.demoAccounts) {
    return {
      demo: {
        enabled: true,
        accounts: DEMO_ACCOUNTS.map((a) => ({ email: a.email, role: ROLE_LABELS[a.role] })),
        // Only the well-known default is shown; a changed demo password stays private.
        password: config.CUSTOS_DEMO_PASSWORD === DEFAULT_DEMO_PASSWORD ? DEFAULT_DEMO_PASSWORD : null,
      },
      oidc,
    };
  }
  return { demo: { enabled: false, reason: demoOffReason(config) }, oidc };
}

/** Why demo accounts are off, in the words the sign-in page and `config check` use. */
export function demoOffReason(config: Env): string {
  if (config.oidcEnabled && !config.CUSTOS_DEMO) return 'Demo accounts are disabled because an identity provider is configured (set CUSTOS_DEMO=1 to keep them).';
  if (config.DATABASE_URL && !config.CUSTOS_DEMO) return 'Demo accounts are disabled because an external database is configured (set CUSTOS_DEMO=1 to keep them).';
  if (config.CUSTOS_DEMO) return 'Demo accounts need the generated demo lake, or CUSTOS_DEMO_PASSWORD set to a password of your own.';
  return 'Demo accounts exist only over the generated demo lake; this portal reads other data.';
}

// Any origin stands in for the portal's own: only the comparison matters.
const SELF = 'https://custos.invalid';

/**
 * Only addresses on the portal itself are followed after sign-in. The value is resolved the way
 * a browser resolves it (which drops tabs and newlines and reads backslashes as slashes), and kept
 * only if it stays on the same origin; the path, query and fragment are what is followed.
 */
export function safeCallbackUrl(value: string | undefined): string {
  if (!value || !value.startsWith('/')) return '/';
  let url: URL;
  try {
    url = new URL(value, SELF);
  } catch {
    return '/';
  }
  if (url.origin !== SELF) return '/';
  return `${url.pathname}${url.search}${url.hash}`;
}
