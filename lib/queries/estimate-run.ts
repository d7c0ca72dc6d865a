import 'server-only';
import type { Ctx } from '@/lib/context';
import { DomainError } from '@/lib/errors';
import { prepareOptions } from './param-defaults';
import { prepareScope } from './params';
import { loadRunnableQuery } from './runnable-query';

export type EstimateDto = { files: number; bytes: number; partitions: number; costUsd: number; limitBytes: number; overLimit: boolean; engine: string };

/** What a run would read and cost, before running it (nothing is recorded). */
export async function estimateRun(ctx: Ctx, raw: unknown): Promise<EstimateDto> {
  const { query, params } = await loadRunnableQuery(ctx, raw);
  const { services } = ctx;
  const scope = prepareScope(query, params, await prepareOptions(ctx, 'form'));
  if (query.range && !scope) throw new DomainError('validation', 'The query needs a date range.');
  const estimate = await services.engine.estimate({ tables: query.tables, scope });
  const limitBytes = services.env.CUSTOS_SCAN_LIMIT_BYTES;
  return { ...estimate, limitBytes, overLimit: estimate.bytes > limitBytes, engine: services.engine.kind };
}
