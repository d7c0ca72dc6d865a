import 'server-only';
import { z } from 'zod';
import { authorize, authorizeQuery } from '@/lib/auth/authorize';
import type { Ctx } from '@/lib/context';
import { notFoundError, parseInput } from '@/lib/errors';
import type { SavedQuery } from './definition';
import { findQuery } from './registry';

export const RunInput = z.object({
  queryId: z.string({ error: 'name a saved query' }).min(1, 'name a saved query').max(100),
  params: z.record(z.string(), z.unknown(), { error: 'give parameters as name/value pairs' }).default({}),
});
export type RunInput = z.infer<typeof RunInput>;

/**
 * The prologue of every verb that runs, prices or shows a saved query: the actor may use queries,
 * the input names one, it exists, and the actor's role is among the query's own roles.
 */
export async function loadRunnableQuery(ctx: Ctx, raw: unknown): Promise<{ query: SavedQuery; params: Record<string, unknown> }> {
  await authorize(ctx, 'query.use');
  const input = parseInput(RunInput, raw, { queryId: 'Saved query', params: 'Parameters' });
  const query = findQuery(input.queryId);
  if (!query) throw notFoundError(`The saved query "${input.queryId}"`);
  await authorizeQuery(ctx, query.id, query.roles);
  return { query, params: input.params };
}
