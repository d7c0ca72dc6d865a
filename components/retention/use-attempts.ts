import { useActionState } from 'react';
import type { ActionState } from '@/lib/web/action-state';

type Action<T> = (state: ActionState<T>, form: FormData) => Promise<ActionState<T>>;

/**
 * A form action's state with each attempt numbered: React resets a form after its action, so a
 * refused attempt's fields are remounted (keyed by the attempt) with the values the refusal hands back.
 */
export function useAttempts<T>(action: Action<T>) {
  const [{ state, attempt }, formAction, pending] = useActionState(
    async (previous: { state: ActionState<T>; attempt: number }, form: FormData) => ({ state: await action(previous.state, form), attempt: previous.attempt + 1 }),
    { state: null as ActionState<T>, attempt: 0 },
  );
  const refused = state && !state.ok ? state : null;
  return { state, attempt, formAction, pending, errors: refused?.fieldErrors ?? {}, typed: refused?.values ?? {}, refused };
}
