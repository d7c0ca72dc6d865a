import 'server-only';
import { authorize } from '@/lib/auth/authorize';
import type { Ctx } from '@/lib/context';
import type { RunDto } from './run-dto';
import { runSavedQuery } from './run-saved-query';
import { loadVisibleRun } from './visible-run';

/** Runs the same saved query again with the values bound last time (patient MRNs stay hashed). */
export async function rerunQuery(ctx: Ctx, runId: string, options: { wait: boolean }): Promise<RunDto> {
  await authorize(ctx, 'query.use');
  const row = await loadVisibleRun(ctx, runId);
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries(row.binds)) params[k] = String(v);
  return runSavedQuery(ctx, { queryId: row.queryId, params }, { wait: options.wait, source: { from: 'ledger', runId: row.id } });
}
