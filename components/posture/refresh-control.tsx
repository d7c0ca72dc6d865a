'use client';

import { useActionState, useEffect, useState } from 'react';
import { useRouter } from 'next/navigation';
import { Button } from '@/components/ui/button';
import type { ActionState } from '@/lib/web/action-state';

type Requested = { refreshId: string; window: { from: string; to: string }; alreadyRunning: boolean };
type Status = { id: string; state: string; done: number; of: number; finishedAt: string | null };

/**
 * Re-runs every figure of the window shown (as a background job), then shows the new figures.
 * While a refresh runs it says how far it has come; the page re-renders once it has finished.
 */
export function RefreshControl({
  refresh,
  status,
  running,
  label = 'Refresh now',
}: {
  refresh: (state: ActionState<Requested>, form: FormData) => Promise<ActionState<Requested>>;
  status: (refreshId: string) => Promise<ActionState<Status>>;
  /** A refresh of this window already running when the page rendered. */
  running: string | null;
  label?: string;
}) {
  const router = useRouter();
  const [state, formAction, pending] = useActionState(refresh, null);
  const watching = state?.ok ? state.data.refreshId : running;
  const [progress, setProgress] = useState<Status | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    if (!watching) return;
    let stopped = false;
    const tick = async () => {
      const answer = await status(watching);
      if (stopped) return;
      if (!answer?.ok) {
        setProblem(answer?.message ?? 'The refresh could not be followed.');
        return;
      }
      setProgress(answer.data);
      if (answer.data.state === 'running') setTimeout(tick, 1500);
      else router.refresh();
    };
    void tick();
    return () => {
      stopped = true;
    };
  }, [watching, status, router]);

  const busy = pending || (watching !== null && (progress === null || progress.state === 'running'));
  return (
    <form action={formAction} className="flex flex-wrap items-center gap-3">
      <Button type="submit" variant="primary" disabled={busy}>
        {busy ? 'Refreshing…' : label}
      </Button>
      <span role="status" aria-live="polite" className="text-sm text-slate-600">
        {busy && progress ? `${progress.done} of ${progress.of} figures recorded` : busy ? 'Starting…' : ''}
      </span>
      {state && !state.ok ? (
        <span role="alert" className="text-sm text-red-700">
          {state.message}
        </span>
      ) : null}
      {problem ? (
        <span role="alert" className="text-sm text-red-700">
          {problem}
        </span>
      ) : null}
    </form>
  );
}
