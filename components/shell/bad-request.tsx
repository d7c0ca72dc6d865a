import Link from 'next/link';

/** The body of a 400: what in the address cannot be used, and a way on. */
export function BadRequest({ problem, signedIn = true }: { problem: string; signedIn?: boolean }) {
  return (
    <div className="mx-auto max-w-xl py-16 text-center">
      <p className="text-sm font-semibold text-amber-700">400 — Bad request</p>
      <h1 className="mt-2 text-2xl font-semibold">This address has a value the page cannot use</h1>
      <p className="mt-3 text-sm text-slate-700">{problem}</p>
      <p className="mt-2 text-sm text-slate-600">Nothing was run or changed. Go back and use the page&apos;s own links and filters, or start again from your home page.</p>
      <Link href={signedIn ? '/' : '/sign-in'} className="mt-6 inline-block text-sm font-medium text-brand-700 underline">
        {signedIn ? 'Back to your home page' : 'Sign in'}
      </Link>
    </div>
  );
}
