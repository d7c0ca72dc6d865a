import 'server-only';
import { EngineError } from '@/lib/engine/port';
import { awsErrorName, isThrottling, isTransient } from './aws-errors';
import type { RetryPolicy } from './config';

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Exponential backoff with jitter in the upper half, capped at `maxMs`. */
export function backoffMs(attempt: number, policy: Pick<RetryPolicy, 'baseMs' | 'maxMs'>): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/**
 * Runs one AWS call, retrying throttling and transient server or network failures. Persistent
 * throttling becomes EngineError('throttled'); other errors are rethrown unchanged.
 */
export async function withRetry<T>(
  operation: string,
  call: () => Promise<T>,
  policy: RetryPolicy,
  signal?: AbortSignal,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (signal?.aborted || !(isThrottling(error) || isTransient(error))) throw error;
      if (attempt >= policy.attempts) {
        if (!isThrottling(error)) throw error;
        throw new EngineError(
          `AWS kept throttling ${operation} (${awsErrorName(error)}) after ${policy.attempts} attempts. ` +
            'Too many queries may be running in this account; try again in a minute.',
          'throttled',
        );
      }
      await sleep(backoffMs(attempt, policy), signal);
    }
  }
}
