import 'server-only';
import { unstable_rethrow } from 'next/navigation';
import { DomainError, ValidationError } from '@/lib/errors';

const STATUS: Record<DomainError['code'], number> = {
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  validation: 422,
  conflict: 409,
  precondition: 409,
  limit: 422,
};

/** For route handlers: maps domain errors to HTTP statuses with a JSON body. */
export async function handleRoute(fn: () => Promise<Response>): Promise<Response> {
  try {
    return await fn();
  } catch (error) {
    unstable_rethrow(error);
    if (error instanceof DomainError) {
      const body: Record<string, unknown> = { error: error.message };
      if (error instanceof ValidationError) body.fieldErrors = error.fieldErrors;
      return Response.json(body, { status: STATUS[error.code] });
    }
    console.error('route failed:', error instanceof Error ? error.name : 'unknown error');
    return Response.json({ error: 'Internal error' }, { status: 500 });
  }
}
