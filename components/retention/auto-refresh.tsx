'use client';

import { useRouter } from 'next/navigation';
import { useEffect } from 'react';

/** Re-renders the page every few seconds while the work it shows is under way. */
export function AutoRefresh({ seconds = 3, label }: { seconds?: number; label: string }) {
  const router = useRouter();
  useEffect(() => {
    const timer = setInterval(() => router.refresh(), seconds * 1000);
    return () => clearInterval(timer);
  }, [router, seconds]);
  return (
    <p className="flex items-center gap-2 text-sm text-slate-700" role="status" aria-live="polite">
      <span className="inline-block h-3 w-3 animate-pulse rounded-full bg-brand-600" aria-hidden />
      {label}
    </p>
  );
}
