'use client';

import { useState, useTransition } from 'react';
import type { ActionState } from '@/lib/web/action-state';

/** Asks for a registered PDF (a POST, journaled), then fetches the single-use address it is handed. */
export function DownloadEvidenceButton({ evidenceId, download }: { evidenceId: string; download: (evidenceId: string) => Promise<ActionState<string>> }) {
  const [message, setMessage] = useState<string | null>(null);
  const [pending, start] = useTransition();
  return (
    <span className="inline-flex flex-wrap items-center gap-2">
      <button
        type="button"
        disabled={pending}
        onClick={() =>
          start(async () => {
            setMessage(null);
            const result = await download(evidenceId);
            if (result?.ok) window.location.assign(result.data);
            else setMessage(result?.message ?? 'The download could not be started.');
          })
        }
        className="font-medium text-brand-700 underline disabled:opacity-60"
        aria-label={`Download ${evidenceId}`}
      >
        Download PDF
      </button>
      {message ? (
        <span role="alert" className="text-xs text-red-700">
          {message}
        </span>
      ) : null}
    </span>
  );
}
