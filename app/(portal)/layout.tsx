import Link from 'next/link';
import { Nav } from '@/components/shell/nav';
import { SignOutButton } from '@/components/shell/sign-out-button';
import { currentActor } from '@/lib/web/guard';
import { navigationFor } from '@/lib/auth/navigation';
import { ROLE_LABELS } from '@/lib/auth/policy';

// Presentation only: every page under this layout checks the session and role itself.
export default async function PortalLayout({ children }: { children: React.ReactNode }) {
  const { actor } = await currentActor();
  return (
    <div className="flex min-h-screen flex-col">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:rounded focus:bg-white focus:px-3 focus:py-2">
        Skip to content
      </a>
      <header className="bg-brand-900 text-white">
        <div className="mx-auto flex max-w-7xl flex-wrap items-center justify-between gap-4 px-6 py-3">
          <div className="flex flex-wrap items-center gap-6">
            <Link href="/" className="text-lg font-semibold tracking-tight text-white">
              Custos
            </Link>
            {actor ? <Nav items={navigationFor(actor)} /> : null}
          </div>
          {actor ? (
            <div className="flex items-center gap-3 text-sm">
              <span className="text-right leading-tight">
                <span className="block font-medium">{actor.name}</span>
                <span className="block text-xs text-brand-100">{ROLE_LABELS[actor.role]}</span>
              </span>
              <SignOutButton />
            </div>
          ) : null}
        </div>
      </header>
      <main id="main" className="mx-auto w-full max-w-7xl flex-1 px-6 py-8">
        {children}
      </main>
      <footer className="border-t border-slate-200 bg-white py-3 text-center text-xs text-slate-500">
        Custos — every action in this portal is recorded in its tamper-evident journal.
      </footer>
    </div>
  );
}
