'use client';

import { useActionState } from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import type { ActionState } from '@/lib/web/action-state';
import type { JournalVerification } from '@/lib/journal/verify';

export function VerifyJournal({ action }: { action: (s: ActionState<JournalVerification>, f: FormData) => Promise<ActionState<JournalVerification>> }) {
  const [state, formAction, pending] = useActionState(action, null);
  return (
    <form action={formAction} className="flex flex-col gap-3">
      <div>
        <Button type="submit" disabled={pending}>
          {pending ? 'Verifying…' : 'Verify the journal'}
        </Button>
      </div>
      {state?.ok && state.data.ok ? (
        <Alert tone="success" title="The journal is intact">
          {state.data.entries.toLocaleString('en-US')} entries verified; every hash and link matches. Head hash{' '}
          <code className="break-all text-xs">{state.data.lastHash}</code>
        </Alert>
      ) : state?.ok && state.data.firstBreak ? (
        <Alert tone="error" title={`The journal is broken at entry ${state.data.firstBreak.seq}`}>
          {state.data.firstBreak.message}
        </Alert>
      ) : state && !state.ok ? (
        <Alert tone="error">{state.message}</Alert>
      ) : null}
    </form>
  );
}
