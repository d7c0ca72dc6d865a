import 'server-only';
import { actorId } from '@/lib/actor';
import { authorize } from '@/lib/auth/authorize';
import { canRunQuery } from '@/lib/auth/policy';
import type { Ctx } from '@/lib/context';
import { isAccessResult } from './access-columns';
import { latestJobFor } from '@/lib/jobs/lease';
import { QUERY_RUN_JOB } from './query-run-job';
import { findQuery } from './registry';
import { toRunDto, type RunDto } from './run-dto';
import { loadVisibleRun } from './visible-run';

export type RunDetailDto = RunDto & {
  progress: { state: string; percent?: number; rowsFetched?: number; bytesScanned?: number; elapsedMs: number } | null;
  executing: boolean;
  canViewResults: boolean;
  /** The viewer's role may run this saved query (re-run, new run). */
  canRun: boolean;
  ownedByViewer: boolean;
  exportFormats: ('csv' | 'json' | 'fhir')[];
};

export async function getRun(ctx: Ctx, runId: string): Promise<RunDetailDto> {
  await authorize(ctx, 'query.use');
  const row = await loadVisibleRun(ctx, runId);
  const query = findQuery(row.queryId);
  const canRun = Boolean(query) && canRunQuery(ctx.actor, query!.roles);
  const canViewResults = canRun && row.status === 'succeeded' && ctx.services.results.exists(row.id);
  const exportFormats: RunDetailDto['exportFormats'] = canViewResults ? ['csv', 'json'] : [];
  if (canViewResults && isAccessResult(await ctx.services.results.columns(row.id))) exportFormats.push('fhir');
  const job = row.status === 'running' ? await latestJobFor(ctx.db, row.id, QUERY_RUN_JOB) : null;
  return {
    ...toRunDto(ctx, row),
    progress: job?.state === 'running' && job.progress ? { elapsedMs: 0, ...job.progress, state: String(job.progress.state ?? 'running') } : null,
    executing: job?.state === 'running',
    canViewResults,
    canRun,
    ownedByViewer: row.actorId === actorId(ctx.actor),
    exportFormats,
  };
}
