'use client';

import { useActionState, useEffect, useRef, useState } from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Field, Input, Select, describedBy } from '@/components/ui/field';
import type { ActionState } from '@/lib/web/action-state';
import type { EstimateDto } from '@/lib/queries/estimate-run';
import { formatBytes, formatUsd } from '@/lib/format';
import type { ParamDto } from '@/lib/queries/get-query-form';

type Props = {
  params: ParamDto[];
  action: (state: ActionState<string>, form: FormData) => Promise<ActionState<string>>;
  estimate?: (params: Record<string, string>) => Promise<ActionState<EstimateDto>>;
  submitLabel?: string;
  initialValues?: Record<string, string>;
};

function inputType(p: ParamDto): string {
  switch (p.type) {
    case 'date':
      return 'date';
    case 'integer':
    case 'hour':
      return 'number';
    default:
      return 'text';
  }
}

/** A form generated from a saved query's typed parameters. */
export function ParameterForm({ params, action, estimate, submitLabel = 'Run query', initialValues }: Props) {
  // Each attempt is numbered: React resets a form after its action, so a refused attempt's fields are
  // remounted (a new key) with what was typed, which the refusal hands back.
  const [{ state, attempt }, formAction, pending] = useActionState(
    async (previous: { state: ActionState<string>; attempt: number }, form: FormData) => ({ state: await action(previous.state, form), attempt: previous.attempt + 1 }),
    { state: null, attempt: 0 },
  );
  const formRef = useRef<HTMLFormElement>(null);
  const [preflight, setPreflight] = useState<ActionState<EstimateDto>>(null);
  const errors = state && !state.ok ? (state.fieldErrors ?? {}) : {};
  const typed = state && !state.ok ? state.values : undefined;

  const lastEstimated = useRef('');
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  // The estimate depends on the dates only: only they are sent (never a patient identifier), once
  // they settle, and only when they changed.
  const refreshEstimate = () => {
    if (!estimate || !formRef.current) return;
    const form = new FormData(formRef.current);
    const values: Record<string, string> = {};
    for (const p of params) {
      const v = form.get(p.name);
      if (p.type === 'date' && typeof v === 'string' && v !== '') values[p.name] = v;
    }
    const key = JSON.stringify(values);
    if (key === lastEstimated.current) return;
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      lastEstimated.current = key;
      void estimate(values).then(setPreflight);
    }, 400);
  };
  useEffect(() => {
    refreshEstimate();
    return () => {
      if (timer.current) clearTimeout(timer.current);
    };
  }, []); // eslint-disable-line react-hooks/exhaustive-deps

  return (
    <form ref={formRef} action={formAction} className="flex flex-col gap-5" noValidate>
      {state && !state.ok ? <Alert tone="error" title="The query was not run">{state.message}</Alert> : null}
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
        {params.map((p) => {
          const id = `param-${p.name}`;
          const error = errors[p.name];
          const value = typed?.[p.name] ?? initialValues?.[p.name] ?? p.defaultValue;
          return (
            <Field key={`${p.name}-${attempt}`} id={id} label={p.label} help={p.help ?? undefined} error={error}>
              {p.type === 'enum' ? (
                <Select id={id} name={p.name} defaultValue={value} aria-invalid={Boolean(error)} aria-describedby={describedBy(id, p.help, error)}>
                  {p.options?.map((o) => (
                    <option key={o} value={o}>
                      {o}
                    </option>
                  ))}
                </Select>
              ) : (
                <Input
                  id={id}
                  name={p.name}
                  type={inputType(p)}
                  defaultValue={value}
                  required={p.required}
                  min={p.min ?? undefined}
                  max={p.max ?? undefined}
                  autoComplete="off"
                  spellCheck={false}
                  aria-invalid={Boolean(error)}
                  aria-describedby={describedBy(id, p.help, error)}
                  onBlur={p.type === 'date' ? refreshEstimate : undefined}
                />
              )}
            </Field>
          );
        })}
      </div>
      <div className="flex flex-wrap items-center gap-4">
        <Button type="submit" disabled={pending}>
          {pending ? 'Starting…' : submitLabel}
        </Button>
        {preflight?.ok ? (
          <p className={`text-sm ${preflight.data.overLimit ? 'font-medium text-red-700' : 'text-slate-600'}`} aria-live="polite">
            Will read about {formatBytes(preflight.data.bytes)} in {preflight.data.files.toLocaleString('en-US')} files
            {preflight.data.engine === 'athena' ? ` (about ${formatUsd(preflight.data.costUsd)} on Athena)` : ' on the embedded engine'}
            {preflight.data.overLimit ? ` — above the ${formatBytes(preflight.data.limitBytes)} limit; narrow the dates.` : '.'}
          </p>
        ) : preflight && !preflight.ok ? (
          <p className="text-sm text-slate-500" aria-live="polite">
            Estimate unavailable: {preflight.message}
          </p>
        ) : null}
      </div>
    </form>
  );
}
