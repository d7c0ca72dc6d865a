import 'server-only';
import { authorize, authorizeQuery } from '@/lib/auth/authorize';
import type { Ctx } from '@/lib/context';
import { DomainError, notFound } from '@/lib/errors';
import { prepareScope } from './params';
import { findQuery } from './registry';
import { parseRunInput } from './run-saved-query';

export type EstimateDto = { files: number; bytes: number; partitions: number; costUsd: number; limitBytes: number; overLimit: boolean; engine: string };

/** What a run would read and cost, before running it (nothing is recorded). */
export async function estimateRun(ctx: Ctx, raw: unknown): Promise<EstimateDto> {
  await authorize(ctx, 'query.use');
  const input = parseRunInput(raw);
  const query = findQuery(input.queryId);
  if (!query) throw notFound('The saved query');
  await authorizeQuery(ctx, query.id, query.roles);
  const { services } = ctx;
  const scope = prepareScope(query, input.params, {
    catalogKey: services.catalogKey,
    maxDays: services.env.CUSTOS_QUERY_MAX_DAYS,
    defaults: await services.paramDefaults(),
  });
  if (query.range && !scope) throw new DomainError('validation', 'The query needs a date range.');
  const estimate = await services.engine.estimate({ tables: query.tables, scope });
  const limitBytes = services.env.CUSTOS_SCAN_LIMIT_BYTES;
  return { ...estimate, limitBytes, overLimit: estimate.bytes > limitBytes, engine: services.engine.kind };
}
