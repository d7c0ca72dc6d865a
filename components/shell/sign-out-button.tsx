'use client';

import { signOut } from 'next-auth/react';

export function SignOutButton() {
  return (
    <button
      type="button"
      onClick={() => signOut({ callbackUrl: '/sign-in?reason=signed-out' })}
      className="rounded-md border border-brand-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-700"
    >
      Sign out
    </button>
  );
}
