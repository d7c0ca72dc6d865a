import 'server-only';

type AwsErrorShape = {
  name?: unknown;
  Code?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number };
};

const THROTTLING = new Set([
  'TooManyRequestsException',
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'RequestLimitExceeded',
  'SlowDown',
]);

const TRANSIENT = new Set(['InternalServerException', 'InternalError', 'ServiceUnavailable', 'RequestTimeout']);
const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'TimeoutError']);
const DENIED = new Set(['AccessDeniedException', 'AccessDenied', 'AllAccessDisabled', 'UnauthorizedOperation']);
const CREDENTIALS = new Set([
  'CredentialsProviderError',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
  'ExpiredToken',
  'InvalidAccessKeyId',
  'InvalidToken',
  'SignatureDoesNotMatch',
  'RequestTimeTooSkewed',
]);

function shape(error: unknown): AwsErrorShape {
  return typeof error === 'object' && error !== null ? (error as AwsErrorShape) : {};
}

/** The AWS error code (`TooManyRequestsException`, `AccessDenied`, …) or the JS error name. */
export function awsErrorName(error: unknown): string {
  const e = shape(error);
  for (const candidate of [e.name, e.Code, e.code]) {
    if (typeof candidate === 'string' && candidate !== '' && candidate !== 'Error') return candidate;
  }
  return 'Error';
}

export function awsErrorMessage(error: unknown): string {
  const message = shape(error).message;
  return typeof message === 'string' ? message : String(error);
}

export function httpStatus(error: unknown): number | undefined {
  return shape(error).$metadata?.httpStatusCode;
}

export function isThrottling(error: unknown): boolean {
  return THROTTLING.has(awsErrorName(error)) || httpStatus(error) === 429;
}

export function isTransient(error: unknown): boolean {
  const name = awsErrorName(error);
  const status = httpStatus(error);
  return TRANSIENT.has(name) || NETWORK.has(name) || (status !== undefined && status >= 500);
}

/** Missing, expired or rejected credentials (as opposed to a permission the identity lacks). */
export function isCredentialProblem(error: unknown): boolean {
  return CREDENTIALS.has(awsErrorName(error));
}

export function isAccessDenied(error: unknown): boolean {
  if (isCredentialProblem(error)) return false;
  return (
    DENIED.has(awsErrorName(error)) ||
    httpStatus(error) === 403 ||
    /not authorized to perform/i.test(awsErrorMessage(error))
  );
}

/**
 * The IAM action a denial names ("… is not authorized to perform: glue:GetTable on …"); Athena
 * relays Glue and S3 denials in its own messages, so the text is more precise than the call made.
 */
export function deniedAction(error: unknown, fallback: string): string {
  const m = /not authorized to perform:?\s+([a-z0-9-]+:[A-Za-z0-9*]+)/i.exec(awsErrorMessage(error));
  return m?.[1] ?? fallback;
}
