'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useState, useTransition } from 'react';
import { Button } from '@/components/ui/button';
import type { ActionState } from '@/lib/web/action-state';
import { formatBytes, formatDuration } from '@/lib/format';

type Progress = { state: string; percent?: number; rowsFetched?: number; bytesScanned?: number; elapsedMs: number } | null;

/** Shows a running query's progress, offers to cancel it, and reloads the page when it ends. */
export function RunWatcher({ runId, cancel, canCancel }: { runId: string; cancel: () => Promise<ActionState<null>>; canCancel: boolean }) {
  const router = useRouter();
  const [progress, setProgress] = useState<Progress>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [cancelling, startCancel] = useTransition();

  useEffect(() => {
    let stopped = false;
    const tick = async () => {
      try {
        const response = await fetch(`/api/runs/${runId}/status`, { cache: 'no-store' });
        if (response.ok) {
          const body = (await response.json()) as { status: string; progress: Progress };
          if (body.status !== 'running') {
            router.refresh();
            return;
          }
          setProgress(body.progress);
        }
      } catch {
        // transient; try again
      }
      if (!stopped) setTimeout(tick, 700);
    };
    const timer = setTimeout(tick, 300);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [runId, router]);

  return (
    <div className="flex flex-wrap items-center gap-4" role="status" aria-live="polite">
      <span className="inline-block h-3 w-3 animate-pulse rounded-full bg-brand-600" aria-hidden />
      <span className="text-sm text-slate-700">
        Running{progress ? ` — ${progress.state}` : ''}
        {progress?.percent !== undefined ? ` ${progress.percent}%` : ''}
        {progress?.rowsFetched ? `, ${progress.rowsFetched.toLocaleString('en-US')} rows` : ''}
        {progress?.bytesScanned ? `, ${formatBytes(progress.bytesScanned)} scanned` : ''}
        {progress ? `, ${formatDuration(Math.round(progress.elapsedMs))}` : ''}
      </span>
      {canCancel ? (
        <Button
          variant="danger"
          disabled={cancelling}
          onClick={() =>
            startCancel(async () => {
              const result = await cancel();
              setMessage(result && !result.ok ? result.message : 'Cancelling…');
            })
          }
        >
          Cancel run
        </Button>
      ) : null}
      {message ? <span className="text-sm text-slate-600">{message}</span> : null}
    </div>
  );
}
