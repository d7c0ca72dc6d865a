'use client';

import { useActionState } from 'react';
import { Button } from '@/components/ui/button';
import { Field, Input, describedBy } from '@/components/ui/field';
import type { MadeReport } from '@/lib/evidence/make-report';
import type { ActionState } from '@/lib/web/action-state';
import { MadeReportResult } from './made-report';

type Props = {
  action: (state: ActionState<MadeReport>, form: FormData) => Promise<ActionState<MadeReport>>;
  download: (evidenceId: string) => Promise<ActionState<string>>;
};

/** Makes the signed posture summary of a window (from the window's latest finished dashboard refresh). */
export function PostureReportForm({ action, download }: Props) {
  const [state, formAction, pending] = useActionState(action, null);
  const values = state && !state.ok ? state.values : undefined;
  const errors = state && !state.ok ? state.fieldErrors : undefined;
  return (
    <form action={formAction} className="flex flex-col gap-3" aria-label="Make a posture summary">
      <div className="flex flex-wrap items-end gap-3">
        {(['from', 'to'] as const).map((name) => (
          <Field key={name} id={`posture-${name}`} label={name === 'from' ? 'From' : 'To'} error={errors?.[name]}>
            <Input
              id={`posture-${name}`}
              name={name}
              type="date"
              required
              defaultValue={values?.[name] ?? ''}
              aria-invalid={errors?.[name] ? true : undefined}
              aria-describedby={describedBy(`posture-${name}`, false, errors?.[name])}
            />
          </Field>
        ))}
        <Button type="submit" disabled={pending}>
          {pending ? 'Making and signing…' : 'Make signed posture summary'}
        </Button>
      </div>
      <MadeReportResult state={state} download={download} />
    </form>
  );
}
