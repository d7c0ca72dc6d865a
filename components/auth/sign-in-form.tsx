'use client';

import { signIn } from 'next-auth/react';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Field, Input } from '@/components/ui/field';

function describe(code: string): string {
  if (code.startsWith('locked:')) {
    const [, secondsText, key] = code.split(':');
    const seconds = Number(secondsText) || 60;
    const wait = seconds < 90 ? `${seconds} second${seconds === 1 ? '' : 's'}` : `${Math.ceil(seconds / 60)} minutes`;
    const whose = key === 'source' ? 'from your network address' : key === 'global' ? 'on this portal just now' : 'for this account';
    return `Too many failed attempts ${whose}. Try again in ${wait}.`;
  }
  switch (code) {
    case 'demo_disabled':
      return 'Demo accounts are disabled on this portal.';
    case 'AccessDenied':
      return 'Your identity provider account has no Custos role. Ask an administrator to map your group to a role.';
    case 'invalid':
    case 'CredentialsSignin':
      return 'The email or password is incorrect.';
    default:
      return 'Sign-in failed. Please try again.';
  }
}

export function SignInForm({ callbackUrl, oidc, initialError }: { callbackUrl: string; oidc: { name: string } | null; initialError: string | null }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(initialError ? describe(initialError) : null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    const result = await signIn('credentials', {
      email: String(form.get('email') ?? ''),
      password: String(form.get('password') ?? ''),
      redirect: false,
    });
    setPending(false);
    if (!result || result.error) {
      setError(describe(result?.error ?? 'unknown'));
      return;
    }
    router.replace(callbackUrl);
    router.refresh();
  }

  return (
    <div className="flex flex-col gap-4">
      {error ? <Alert tone="error">{error}</Alert> : null}
      <form onSubmit={onSubmit} className="flex flex-col gap-4" noValidate>
        <Field id="email" label="Email">
          <Input id="email" name="email" type="email" autoComplete="username" required />
        </Field>
        <Field id="password" label="Password">
          <Input id="password" name="password" type="password" autoComplete="current-password" required />
        </Field>
        <Button type="submit" disabled={pending}>
          {pending ? 'Signing in…' : 'Sign in'}
        </Button>
      </form>
      {oidc ? (
        <>
          <div className="text-center text-xs uppercase tracking-wide text-slate-400">or</div>
          <Button variant="secondary" onClick={() => signIn('oidc', { callbackUrl })}>
            Sign in with {oidc.name}
          </Button>
        </>
      ) : null}
    </div>
  );
}
