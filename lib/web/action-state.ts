import 'server-only';
import { unstable_rethrow } from 'next/navigation';
import { DomainError, ValidationError } from '@/lib/errors';

export type ActionState<T = unknown> =
  | { ok: true; data: T; message?: string }
  | { ok: false; message: string; fieldErrors?: Record<string, string>; values?: Record<string, string> }
  | null;

/** Runs a verb for a server action: domain errors become messages; anything else a generic one (logged without detail). */
export async function runAction<T>(fn: () => Promise<T>): Promise<ActionState<T>> {
  try {
    return { ok: true, data: await fn() };
  } catch (error) {
    unstable_rethrow(error);
    if (error instanceof ValidationError) return { ok: false, message: error.message, fieldErrors: error.fieldErrors };
    if (error instanceof DomainError) return { ok: false, message: error.message };
    console.error('action failed:', error instanceof Error ? error.name : 'unknown error');
    return { ok: false, message: 'Something went wrong on our side. Nothing was changed; please try again.' };
  }
}

/** A form's text fields, to hand back with a refusal: React resets a form after its action, and people should not retype what they entered. */
export function formValues(form: FormData): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, value] of form.entries()) if (!key.startsWith('$') && typeof value === 'string') values[key] = value;
  return values;
}

/** A refusal carries the values the person typed, so the form shows them again with the message. */
export function keepValues<T>(state: ActionState<T>, form: FormData): ActionState<T> {
  return state && !state.ok ? { ...state, values: formValues(form) } : state;
}
