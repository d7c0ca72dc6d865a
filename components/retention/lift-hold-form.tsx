'use client';

import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/field';
import type { LegalHoldDto } from '@/lib/retention/place-legal-hold';
import type { ActionState } from '@/lib/web/action-state';
import { useAttempts } from './use-attempts';

type Action = (state: ActionState<LegalHoldDto>, form: FormData) => Promise<ActionState<LegalHoldDto>>;

/** Lifts one hold, with a reason. */
export function LiftHoldForm({ action, study }: { action: Action; study: string }) {
  const { attempt, formAction, pending, errors, typed, refused } = useAttempts(action);
  const error = refused ? (errors.reason ?? refused.message) : null;
  return (
    <form action={formAction} className="flex flex-col gap-1" aria-label={`Lift the hold on ${study}`} noValidate>
      <div className="flex flex-wrap items-center gap-2">
        <Input
          key={attempt}
          name="reason"
          className="min-w-56 flex-1"
          aria-label={`Why the hold on ${study} ends`}
          placeholder="Why the hold ends"
          defaultValue={typed.reason ?? ''}
          aria-invalid={error ? true : undefined}
        />
        <Button type="submit" variant="danger" disabled={pending}>
          {pending ? 'Lifting…' : 'Lift hold'}
        </Button>
      </div>
      {error ? (
        <p role="alert" className="text-xs font-medium text-red-700">
          {error}
        </p>
      ) : null}
    </form>
  );
}
