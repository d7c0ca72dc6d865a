import 'server-only';
import { unstable_rethrow } from 'next/navigation';
import { DomainError, ValidationError } from '@/lib/errors';

export type ActionState<T = unknown> =
  | { ok: true; data: T; message?: string }
  | { ok: false; message: string; fieldErrors?: Record<string, string> }
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
