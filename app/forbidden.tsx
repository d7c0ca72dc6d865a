import Link from 'next/link';

export default function Forbidden() {
  return (
    <main id="main" className="mx-auto max-w-xl px-6 py-24 text-center">
      <p className="text-sm font-semibold text-red-700">403 — Forbidden</p>
      <h1 className="mt-2 text-2xl font-semibold">Your role does not give access to this page</h1>
      <p className="mt-2 text-sm text-slate-600">The attempt has been recorded in the portal&apos;s journal. If you need access, ask an administrator.</p>
      <Link href="/" className="mt-6 inline-block text-sm font-medium text-brand-700 underline">
        Back to your home page
      </Link>
    </main>
  );
}
