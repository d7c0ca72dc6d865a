'use client';

import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Field, describedBy } from '@/components/ui/field';
import type { SavedRuleSetDto } from '@/lib/retention/save-rule-set';
import type { ActionState } from '@/lib/web/action-state';
import { TextArea } from './text-area';
import { useAttempts } from './use-attempts';

type Action = (state: ActionState<SavedRuleSetDto>, form: FormData) => Promise<ActionState<SavedRuleSetDto>>;

/** Saves a rule set's next version from its JSON definition; the portal numbers the version. */
export function RuleSetForm({ action, initial }: { action: Action; initial: string }) {
  const { attempt, formAction, pending, errors, typed, refused, state } = useAttempts(action);
  const problems = Object.entries(errors).filter(([field]) => field !== 'definition' && field !== 'inForce');
  return (
    <form action={formAction} className="flex flex-col gap-3" aria-label="Save a rule set version" noValidate>
      {refused ? (
        <Alert tone="error" title="Not saved">
          {refused.message}
          {problems.length ? (
            <ul className="mt-1 list-disc pl-5">
              {problems.map(([field, problem]) => (
                <li key={field}>
                  <code>{field}</code>: {problem}
                </li>
              ))}
            </ul>
          ) : null}
        </Alert>
      ) : null}
      {state?.ok ? (
        <Alert tone="success">
          Saved {state.data.ruleSetId} version {state.data.version}
          {state.data.inForce ? ', now in force.' : ', not in force.'}
        </Alert>
      ) : null}
      <div key={attempt} className="flex flex-col gap-3">
        <Field id="rule-set-definition" label="Rule set (JSON)" help="Its id names the rule set; the version is the next one. Requests keep the versions their studies were judged under." error={errors.definition}>
          <TextArea
            id="rule-set-definition"
            name="definition"
            rows={18}
            spellCheck={false}
            className="font-mono text-xs"
            defaultValue={typed.definition ?? initial}
            aria-invalid={errors.definition ? true : undefined}
            aria-describedby={describedBy('rule-set-definition', true, errors.definition)}
          />
        </Field>
        <label className="flex items-center gap-2 text-sm text-slate-800">
          <input type="checkbox" name="inForce" defaultChecked={typed.inForce ? typed.inForce === 'on' : true} />
          Put this version in force (it retires the version before)
        </label>
      </div>
      <div>
        <Button type="submit" disabled={pending}>
          {pending ? 'Saving…' : 'Save new version'}
        </Button>
      </div>
    </form>
  );
}
