// One family of domain errors; mapped to responses only by the web glue (lib/web) and the CLI.
import type { z } from 'zod';

export type DomainErrorCode =
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'validation'
  | 'conflict'
  | 'precondition'
  | 'limit';

// Bundlers may load this module more than once (one copy per server chunk); a brand registered
// with Symbol.for keeps `instanceof` true across copies.
const DOMAIN = Symbol.for('custos.DomainError');
const VALIDATION = Symbol.for('custos.ValidationError');

function branded(value: unknown, brand: symbol): boolean {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}

export class DomainError extends Error {
  readonly [DOMAIN] = true;

  static override [Symbol.hasInstance](value: unknown): boolean {
    return branded(value, DOMAIN);
  }

  constructor(
    readonly code: DomainErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export class ValidationError extends DomainError {
  readonly [VALIDATION] = true;

  static override [Symbol.hasInstance](value: unknown): boolean {
    return branded(value, VALIDATION);
  }

  constructor(
    message: string,
    readonly fieldErrors: Record<string, string> = {},
  ) {
    super('validation', message);
    this.name = 'ValidationError';
  }
}

export const notFoundError = (what: string) => new DomainError('not_found', `${what} was not found.`);
export const forbiddenError = (message = 'Your role does not allow this.') =>
  new DomainError('forbidden', message);

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}

/** Parses untrusted input; a failure is a ValidationError naming each bad field (by its label when given). */
export function parseInput<S extends z.ZodType>(schema: S, raw: unknown, labels: Record<string, string> = {}): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const fieldErrors: Record<string, string> = {};
  for (const issue of parsed.error.issues) fieldErrors[String(issue.path[0] ?? 'input')] ??= issue.message;
  const message = Object.entries(fieldErrors)
    .map(([field, problem]) => `${labels[field] ?? field}: ${problem}`)
    .join('; ');
  throw new ValidationError(message, fieldErrors);
}
