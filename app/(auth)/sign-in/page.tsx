import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { Alert } from '@/components/ui/alert';
import { SignInForm } from '@/components/auth/sign-in-form';
import { currentActor } from '@/lib/web/guard';
import { safeCallbackUrl, signInPageInfo } from '@/lib/auth/sign-in-page';

export const metadata: Metadata = { title: 'Sign in' };

const REASONS: Record<string, { tone: 'info' | 'warning'; text: string }> = {
  idle: { tone: 'warning', text: 'Your session ended after a period of inactivity. Sign in again to continue.' },
  lifetime: { tone: 'warning', text: 'Your session reached its time limit. Sign in again to continue.' },
  'signed-out': { tone: 'info', text: 'You have signed out.' },
};

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const params = await searchParams;
  const callbackUrl = safeCallbackUrl(params.callbackUrl);
  const { actor } = await currentActor();
  if (actor) redirect(callbackUrl);
  const info = signInPageInfo();
  const reason = params.reason ? REASONS[params.reason] : undefined;
  return (
    <main id="main" className="flex min-h-screen items-center justify-center px-4 py-12">
      <div className="w-full max-w-md">
        <h1 className="text-center text-3xl font-semibold tracking-tight text-brand-900">Custos</h1>
        <p className="mt-1 text-center text-sm text-slate-600">HIPAA audit and retention governance for the imaging archive</p>
        <div className="mt-8 flex flex-col gap-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
          <h2 className="text-lg font-semibold">Sign in</h2>
          {reason ? <Alert tone={reason.tone}>{reason.text}</Alert> : null}
          <SignInForm callbackUrl={callbackUrl} oidc={info.oidc} initialError={params.error ?? null} />
        </div>
        {info.demo?.enabled ? (
          <section aria-labelledby="demo-accounts" className="mt-6 rounded-lg border border-amber-200 bg-amber-50 p-4 text-sm text-amber-950">
            <h2 id="demo-accounts" className="font-semibold">
              Demo accounts
            </h2>
            <p className="mt-1">
              This portal runs on generated demo data.{' '}
              {info.demo.password ? (
                <>
                  Every account&apos;s password is <code className="rounded bg-amber-100 px-1">{info.demo.password}</code>.
                </>
              ) : (
                'The password is the configured demo password.'
              )}
            </p>
            <ul className="mt-2 space-y-0.5">
              {info.demo.accounts.map((a) => (
                <li key={a.email}>
                  <code>{a.email}</code> — {a.role}
                </li>
              ))}
            </ul>
          </section>
        ) : info.demo ? (
          <p className="mt-6 text-center text-sm text-slate-600">{info.demo.reason}</p>
        ) : null}
      </div>
    </main>
  );
}
