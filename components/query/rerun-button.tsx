'use client';

import { useActionState } from 'react';
import { Button } from '@/components/ui/button';
import type { ActionState } from '@/lib/web/action-state';

export function RerunButton({ action }: { action: (state: ActionState<string>, form: FormData) => Promise<ActionState<string>> }) {
  const [state, formAction, pending] = useActionState(action, null);
  return (
    <form action={formAction} className="inline-flex items-center gap-2">
      <Button type="submit" variant="secondary" disabled={pending}>
        {pending ? 'Starting…' : 'Re-run with the same parameters'}
      </Button>
      {state && !state.ok ? <span role="alert" className="text-sm text-red-700">{state.message}</span> : null}
    </form>
  );
}
