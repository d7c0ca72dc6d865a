'use client';

import { useActionState } from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import type { ActionState } from '@/lib/web/action-state';
import type { CompactSummary } from '@/lib/lake/compact';

export function CompactLake({ action }: { action: (s: ActionState<CompactSummary>, f: FormData) => Promise<ActionState<CompactSummary>> }) {
  const [state, formAction, pending] = useActionState(action, null);
  return (
    <form action={formAction} className="mt-4 flex flex-col gap-3">
      <div>
        <Button type="submit" variant="secondary" disabled={pending}>
          {pending ? 'Compacting…' : 'Compact new log files now'}
        </Button>
      </div>
      {state?.ok ? (
        <Alert tone="success" title="Compaction done">
          {state.data.rawFiles.toLocaleString('en-US')} raw files ({state.data.records.toLocaleString('en-US')} records) into {state.data.partitionsWritten} partitions
          in {state.data.seconds.toFixed(1)} s; {state.data.partitionsUpToDate} partitions were already up to date.
        </Alert>
      ) : state && !state.ok ? (
        <Alert tone="error">{state.message}</Alert>
      ) : null}
    </form>
  );
}
