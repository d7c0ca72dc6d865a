import 'server-only';
import { env } from '@/lib/config/env';
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
        password: config.CUSTOS_DEMO_PASSWORD === 'custos-demo' ? 'custos-demo' : null,
      },
      oidc,
    };
  }
  const because = config.oidcEnabled ? 'an identity provider is configured' : 'an external database is configured';
  return { demo: { enabled: false, reason: `Demo accounts are disabled because ${because} (set CUSTOS_DEMO=1 to keep them).` }, oidc };
}

/** Only same-site paths are followed after sign-in. */
export function safeCallbackUrl(value: string | undefined): string {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return '/';
  return value;
}
