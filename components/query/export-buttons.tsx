'use client';

import { useState, useTransition } from 'react';
import type { ActionState } from '@/lib/web/action-state';

const LABELS: Record<string, string> = { csv: 'Download CSV', json: 'Download JSON', fhir: 'Download FHIR AuditEvents' };

/**
 * Export buttons: each asks the server to start an export (a POST, journaled) and then fetches the
 * single-use file it hands back. No plain link, so nothing is exported by a prefetch.
 */
export function ExportButtons({ runId, formats, exportRun }: { runId: string; formats: string[]; exportRun: (runId: string, format: string) => Promise<ActionState<string>> }) {
  const [message, setMessage] = useState<string | null>(null);
  const [pending, start] = useTransition();
  const download = (format: string) =>
    start(async () => {
      setMessage(null);
      const result = await exportRun(runId, format);
      if (result?.ok) window.location.assign(result.data);
      else setMessage(result?.message ?? 'The export could not be started.');
    });
  return (
    <span className="inline-flex flex-wrap items-center gap-3">
      {formats.map((format) => (
        <button key={format} type="button" disabled={pending} onClick={() => download(format)} className="font-medium text-brand-700 underline disabled:opacity-60">
          {LABELS[format] ?? format}
        </button>
      ))}
      {message ? (
        <span role="alert" className="text-sm text-red-700">
          {message}
        </span>
      ) : null}
    </span>
  );
}
