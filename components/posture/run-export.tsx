'use client';

import { useState, useTransition } from 'react';
import type { ActionState } from '@/lib/web/action-state';

type File = { filename: string; contentType: string; text: string };

/** Downloads a posture run's rows: the server checks the stored rows against their SHA-256 and journals the export. */
export function RunExport({ runId, exportRun }: { runId: string; exportRun: (runId: string, format: string) => Promise<ActionState<File>> }) {
  const [message, setMessage] = useState<string | null>(null);
  const [pending, start] = useTransition();
  const download = (format: 'csv' | 'json') =>
    start(async () => {
      setMessage(null);
      const result = await exportRun(runId, format);
      if (!result?.ok) {
        setMessage(result?.message ?? 'The export could not be made.');
        return;
      }
      const url = URL.createObjectURL(new Blob([result.data.text], { type: result.data.contentType }));
      const a = document.createElement('a');
      a.href = url;
      a.download = result.data.filename;
      document.body.append(a);
      a.click();
      a.remove();
      URL.revokeObjectURL(url);
    });
  return (
    <span className="inline-flex flex-wrap items-center gap-3">
      <button type="button" disabled={pending} onClick={() => download('csv')} className="font-medium text-brand-700 underline disabled:opacity-60">
        Download CSV
      </button>
      <button type="button" disabled={pending} onClick={() => download('json')} className="font-medium text-brand-700 underline disabled:opacity-60">
        Download JSON
      </button>
      {message ? (
        <span role="alert" className="text-sm text-red-700">
          {message}
        </span>
      ) : null}
    </span>
  );
}
