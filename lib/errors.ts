// One family of domain errors; mapped to responses only in lib/actions.ts and route handlers.

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

export const notFound = (what: string) => new DomainError('not_found', `${what} was not found.`);
export const forbiddenError = (message = 'Your role does not allow this.') =>
  new DomainError('forbidden', message);

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}
