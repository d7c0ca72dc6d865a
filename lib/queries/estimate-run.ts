import 'server-only';
import { actorId } from '@/lib/actor';
import type { Ctx } from '@/lib/context';
import { DomainError } from '@/lib/errors';
import { estimateRequest } from './engine-request';
import { indexSpanFor } from './index-span';
import { prepareOptions } from './param-defaults';
import { prepareScope } from './params';
import { loadRunnableQuery } from './runnable-query';

export type EstimateDto = { files: number; bytes: number; partitions: number; costUsd: number; limitBytes: number; overLimit: boolean; engine: string };

// Estimates list the lake (S3 on Athena): a person's forms ask a few a minute. Counted per
// process, which is what an estimate costs: this process's listing work.
const recent = new Map<string, number[]>();

function withinBudget(who: string, perMinute: number, now: number): boolean {
  const times = (recent.get(who) ?? []).filter((t) => now - t < 60_000);
  if (times.length >= perMinute) return false;
  times.push(now);
  recent.set(who, times);
  return true;
}

/** What a run would read and cost, before running it (nothing is recorded). */
export async function estimateRun(ctx: Ctx, raw: unknown): Promise<EstimateDto> {
  const { query, params } = await loadRunnableQuery(ctx, raw);
  if (!withinBudget(actorId(ctx.actor), ctx.services.env.CUSTOS_ESTIMATES_PER_USER_PER_MINUTE, ctx.now().getTime())) {
    throw new DomainError('limit', 'Too many estimates in the last minute; the estimate will come back shortly.');
  }
  const { services } = ctx;
  const scope = prepareScope(query, params, await prepareOptions(ctx, 'form'));
  if (query.range && !scope) throw new DomainError('validation', 'The query needs a date range.');
  const estimate = await services.engine.estimate(estimateRequest(query, scope, await indexSpanFor(services, query, `estimate of ${query.id}`)));
  const limitBytes = services.env.CUSTOS_SCAN_LIMIT_BYTES;
  return { ...estimate, limitBytes, overLimit: estimate.bytes > limitBytes, engine: services.engine.kind };
}
