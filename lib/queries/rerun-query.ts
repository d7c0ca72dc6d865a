import 'server-only';
import { authorize } from '@/lib/auth/authorize';
import type { Ctx } from '@/lib/context';
import type { RunDto } from './run-dto';
import { runSavedQuery } from './run-saved-query';
import { ledgerParams, phiDisplayOf } from './sealed-params';
import { loadVisibleRun } from './visible-run';

/** Runs the same saved query again with the values bound last time (patient MRNs stay hashed). */
export async function rerunQuery(ctx: Ctx, runId: string, options: { wait: boolean }): Promise<RunDto> {
  await authorize(ctx, 'query.use');
  const row = await loadVisibleRun(ctx, runId);
  const { keys } = ctx.services;
  return runSavedQuery(ctx, { queryId: row.queryId, params: ledgerParams(keys, row) }, { wait: options.wait, source: { from: 'ledger', runId: row.id, phiDisplay: phiDisplayOf(keys, row) } });
}
