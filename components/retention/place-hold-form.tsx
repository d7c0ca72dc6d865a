'use client';

import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Field, Input, describedBy } from '@/components/ui/field';
import type { LegalHoldDto } from '@/lib/retention/place-legal-hold';
import type { ActionState } from '@/lib/web/action-state';
import { useAttempts } from './use-attempts';

type Action = (state: ActionState<LegalHoldDto>, form: FormData) => Promise<ActionState<LegalHoldDto>>;

/** Places a legal hold on a study with a reason. */
export function PlaceHoldForm({ action, defaultStudy }: { action: Action; defaultStudy?: string }) {
  const { state, attempt, formAction, pending, errors, typed } = useAttempts(action);
  return (
    <form action={formAction} className="flex flex-col gap-3" aria-label="Place a legal hold" noValidate>
      {state && !state.ok ? <Alert tone="error" title="No hold was placed">{state.message}</Alert> : null}
      {state?.ok ? <Alert tone="success">Legal hold placed on study {state.data.studyInstanceUid}.</Alert> : null}
      <div key={attempt} className="grid gap-3 sm:grid-cols-[minmax(16rem,1fr)_2fr_auto] sm:items-end">
        <Field id="hold-study" label="Study Instance UID" error={errors.study}>
          <Input
            id="hold-study"
            name="study"
            className="font-mono"
            autoComplete="off"
            spellCheck={false}
            defaultValue={typed.study ?? defaultStudy ?? ''}
            aria-invalid={errors.study ? true : undefined}
            aria-describedby={describedBy('hold-study', false, errors.study)}
          />
        </Field>
        <Field id="hold-reason" label="Reason for the hold" error={errors.reason}>
          <Input
            id="hold-reason"
            name="reason"
            defaultValue={typed.reason ?? ''}
            placeholder="The matter, the request, the case"
            aria-invalid={errors.reason ? true : undefined}
            aria-describedby={describedBy('hold-reason', false, errors.reason)}
          />
        </Field>
        <Button type="submit" disabled={pending}>
          {pending ? 'Placing…' : 'Place legal hold'}
        </Button>
      </div>
    </form>
  );
}
