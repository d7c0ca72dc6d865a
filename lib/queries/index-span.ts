import 'server-only';
import type { Services } from '@/lib/context';
import type { AccessIndexSpan } from '@/lib/engine/port';
import type { SavedQuery } from './definition';

/**
 * What the access index holds, for a query that reads it (null otherwise). When that cannot be
 * read, the run reads every day raw, which is complete, only slower, and its estimate says so.
 */
export async function indexSpanFor(services: Services, query: SavedQuery, what: string): Promise<AccessIndexSpan | null> {
  if (!query.readsAccessIndex) return null;
  try {
    return await services.engine.accessIndex.span();
  } catch (error) {
    console.error(`${what}: reading the access index watermark failed, reading the logs raw:`, error instanceof Error ? error.name : 'unknown error');
    return null;
  }
}
