import 'server-only';
import { authorize } from '@/lib/auth/authorize';
import type { Ctx } from '@/lib/context';
import { withTransaction } from '@/lib/db/tx';
import type { Cell, EngineColumn } from '@/lib/engine/port';
import { DomainError } from '@/lib/errors';
import { appendJournal } from '@/lib/journal/append';
import { toRunDto, type RunDto } from './run-dto';
import { loadVisibleRun, requireResultAccess } from './visible-run';

export type RunComparisonDto = {
  before: RunDto;
  after: RunDto;
  columns: EngineColumn[];
  added: number;
  removed: number;
  unchanged: number;
  addedSample: Cell[][];
  removedSample: Cell[][];
  sameResult: boolean;
  /** Parameters that differ between the runs (as shown in the ledger): then the runs asked different questions. */
  parameterChanges: { name: string; before: string | null; after: string | null }[];
};

function parameterChanges(before: Record<string, string>, after: Record<string, string>): RunComparisonDto['parameterChanges'] {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return names.filter((n) => before[n] !== after[n]).map((name) => ({ name, before: before[name] ?? null, after: after[name] ?? null }));
}

/** Did the answer change? Rows added and removed between two runs of the same saved query. */
export async function compareRuns(ctx: Ctx, beforeId: string, afterId: string): Promise<RunComparisonDto> {
  await authorize(ctx, 'query.use');
  const before = await loadVisibleRun(ctx, beforeId);
  const after = await loadVisibleRun(ctx, afterId);
  if (before.queryId !== after.queryId) throw new DomainError('validation', 'Only two runs of the same saved query can be compared.');
  await requireResultAccess(ctx, before);
  await requireResultAccess(ctx, after);
  const { results } = ctx.services;
  const columns = await results.columns(after.id);
  const beforeColumns = await results.columns(before.id);
  if (JSON.stringify(columns) !== JSON.stringify(beforeColumns)) {
    throw new DomainError('precondition', 'The two runs have different columns (the saved query changed between them); their rows cannot be compared.');
  }
  const diff = await results.diff(before.id, after.id);
  await withTransaction(ctx, (tx, txCtx) =>
    appendJournal(tx, txCtx, { action: 'query.compare', subject: after.id, details: { before: before.id, added: diff.added, removed: diff.removed } }),
  );
  return {
    before: toRunDto(ctx, before),
    after: toRunDto(ctx, after),
    columns,
    ...diff,
    unchanged: (after.rowCount ?? 0) - diff.added,
    sameResult: before.resultSha256 !== null && before.resultSha256 === after.resultSha256,
    parameterChanges: parameterChanges(before.parameters, after.parameters),
  };
}
