'use client';

import { useActionState } from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Field, Input, describedBy } from '@/components/ui/field';
import type { ActionState } from '@/lib/web/action-state';

type Props = {
  /** The sealed link the result row carried; it travels back to the server as it came. */
  token: string;
  from: string;
  to: string;
  action: (state: ActionState<string>, form: FormData) => Promise<ActionState<string>>;
};

/** Opens the view of the patient a result row named: only the window is asked for. */
export function OpenByLinkForm({ token, from, to, action }: Props) {
  const [state, formAction, pending] = useActionState(action, null);
  const errors = state && !state.ok ? (state.fieldErrors ?? {}) : {};
  const typed = state && !state.ok ? state.values : undefined;
  return (
    <form action={formAction} className="flex flex-col gap-5" noValidate>
      {state && !state.ok ? (
        <Alert tone="error" title="The patient view was not opened">
          {state.message}
        </Alert>
      ) : null}
      <input type="hidden" name="ref" value={token} />
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
        {(
          [
            ['from', 'From', 'First day (UTC), inclusive.', typed?.from ?? from],
            ['to', 'To', 'Last day (UTC), inclusive.', typed?.to ?? to],
          ] as const
        ).map(([name, label, help, value]) => (
          <Field key={`${name}-${value}`} id={`link-${name}`} label={label} help={help} error={errors[name]}>
            <Input
              id={`link-${name}`}
              name={name}
              type="date"
              defaultValue={value}
              required
              aria-invalid={Boolean(errors[name])}
              aria-describedby={describedBy(`link-${name}`, help, errors[name])}
            />
          </Field>
        ))}
      </div>
      <div>
        <Button type="submit" disabled={pending}>
          {pending ? 'Starting…' : 'Open patient view'}
        </Button>
      </div>
    </form>
  );
}
