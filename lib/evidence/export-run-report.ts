import 'server-only';
import { z } from 'zod';
import { authorize } from '@/lib/auth/authorize';
import type { Ctx } from '@/lib/context';
import { parseInput } from '@/lib/errors';
import { findQuery } from '@/lib/queries/registry';
import { loadVisibleRun, requireResultAccess } from '@/lib/queries/visible-run';
import { issueEvidence, type IssuedEvidence } from './issue';
import { renderQueryRunReport } from './render';
import { assertStoredResult, queryRunReportDto } from './run-report-data';

export const RunReportInput = z.object({ runId: z.string({ error: 'name a run' }).trim().min(1, 'name a run').max(64) });

/**
 * The signed query-run report of a run: for whoever may read the run's result (the run is theirs or
 * they may see every run, and their role may run its query), as any export of it.
 */
export async function exportRunReport(ctx: Ctx, raw: unknown): Promise<IssuedEvidence> {
  await authorize(ctx, 'query.use');
  const { runId } = parseInput(RunReportInput, raw, { runId: 'Run' });
  const row = await loadVisibleRun(ctx, runId);
  await requireResultAccess(ctx, row);
  const query = findQuery(row.queryId)!;
  await assertStoredResult(ctx, row);
  return issueEvidence(ctx, {
    kind: 'query-run',
    title: row.queryTitle,
    subject: { type: 'run', runId: row.id, queryId: row.queryId, queryTitle: row.queryTitle },
    subjectRef: row.id,
    window: row.scopeFrom && row.scopeTo ? { from: row.scopeFrom, to: row.scopeTo } : null,
    reason: `Custos query-run report: ${row.queryTitle}, run ${row.id}`,
    render: async (header) => renderQueryRunReport(await queryRunReportDto(ctx, query, row, header)),
  });
}
