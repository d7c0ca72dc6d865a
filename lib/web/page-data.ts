import 'server-only';
import { forbidden, notFound } from 'next/navigation';
import { isDomainError } from '@/lib/errors';

/** For pages: a verb's `not_found` renders 404 and `forbidden` renders 403 (already journaled by the verb). */
export async function pageData<T>(promise: Promise<T>): Promise<T> {
  try {
    return await promise;
  } catch (error) {
    if (isDomainError(error) && error.code === 'not_found') notFound();
    if (isDomainError(error) && error.code === 'forbidden') forbidden();
    throw error;
  }
}
