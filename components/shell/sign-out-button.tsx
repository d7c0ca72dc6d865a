'use client';

import { signOut } from 'next-auth/react';

// The sign-in page on the origin this browser is on: next-auth's own redirect would be built from
// NEXTAUTH_URL, which may name a host only the server can reach (localhost).
const SIGNED_OUT = '/sign-in?reason=signed-out';

export function SignOutButton() {
  return (
    <button
      type="button"
      onClick={async () => {
        await signOut({ redirect: false });
        window.location.replace(SIGNED_OUT);
      }}
      className="rounded-md border border-brand-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-700"
    >
      Sign out
    </button>
  );
}
