import 'server-only';
import { eq } from 'drizzle-orm';
import type { Actor } from '@/lib/actor';
import { makeCtx, type Ctx, type Services } from '@/lib/context';
import { queryRuns } from '@/lib/db/schema';
import { withTransaction } from '@/lib/db/tx';
import { EngineError, type LogCoverage } from '@/lib/engine/port';
import { DomainError, ValidationError } from '@/lib/errors';
import { PermanentJobFailure, type JobHandler, type StopReason } from '@/lib/jobs/types';
import { appendJournal } from '@/lib/journal/append';
import type { ResultWriter } from '@/lib/storage/port';
import { coverageWindow } from './coverage-window';
import type { SavedQuery } from './definition';
import { engineRequest } from './engine-request';
import { indexSpanFor } from './index-span';
import { prepareOptions } from './param-defaults';
import { ledgerParams, sealEngineError } from './sealed-params';
import { prepareParams, type PreparedParams } from './params';
import { findQuery } from './registry';

export const QUERY_RUN_JOB = 'query.run';

/**
 * Executes a recorded run: engine → result store → ledger row + journal. A run that fails or is
 * cancelled is recorded as such, never as succeeded. Idempotent: a run already settled is left
 * alone, and a run whose worker died is executed again from the start (results are written
 * aside and renamed into place only when complete).
 */
export function queryRunJob(services: Services): JobHandler {
  return async ({ job, signal, progress }) => {
    const { runId, actor } = job.payload as { runId: string; actor: Actor };
    const ctx = makeCtx(services, actor, job.id);
    const [row] = await ctx.db.select().from(queryRuns).where(eq(queryRuns.id, runId));
    if (!row || row.status !== 'running') return { skipped: row ? row.status : 'missing' };
    const query = findQuery(row.queryId);
    if (!query) return recordFailure(ctx, runId, row.queryId, 'The saved query of this run no longer exists.');
    let prepared: PreparedParams;
    try {
      const accessIndex = await indexSpanFor(services, query, `run ${runId}`);
      prepared = prepareParams(query, ledgerParams(services.keys, row), { ...(await prepareOptions(ctx, 'ledger')), accessIndex });
    } catch (error) {
      if (error instanceof ValidationError) return recordFailure(ctx, runId, query.id, `The recorded parameters no longer validate: ${error.message}`);
      throw error;
    }
    return execute(ctx, query, prepared, runId, signal, progress);
  };
}

async function recordFailure(ctx: Ctx, runId: string, queryId: string, message: string): Promise<never> {
  await settleRun(ctx, runId, queryId, 'failed', message, null, 0);
  throw new PermanentJobFailure(message);
}

async function settleRun(
  ctx: Ctx,
  runId: string,
  queryId: string,
  status: 'failed' | 'cancelled',
  message: string,
  executionId: string | null,
  durationMs: number,
  engineText: string | null = null,
) {
  await withTransaction(ctx, async (tx, txCtx) => {
    const [row] = engineText ? await tx.select({ id: queryRuns.id, phi: queryRuns.phi }).from(queryRuns).where(eq(queryRuns.id, runId)) : [];
    await tx
      .update(queryRuns)
      .set({ status, error: message, engineExecutionId: executionId, finishedAt: txCtx.now(), durationMs, ...(row && engineText ? { phi: sealEngineError(ctx.services.keys, row, engineText) } : {}) })
      .where(eq(queryRuns.id, runId));
    await appendJournal(tx, txCtx, { action: status === 'cancelled' ? 'query.run_cancelled' : 'query.run_failed', subject: runId, details: { queryId, error: message } });
  });
}

/** A result is never recorded without the coverage of its window: an empty answer must not pass for good news. */
async function recordedCoverage(runId: string, coverage: Promise<LogCoverage | null>): Promise<LogCoverage | null> {
  try {
    return await coverage;
  } catch (error) {
    if (error instanceof EngineError && error.code !== 'failed') throw error;
    console.error(`run ${runId}: listing the log coverage failed:`, error instanceof Error ? error.name : 'unknown error');
    throw new DomainError(
      'precondition',
      'The log coverage of the window could not be listed, and a result is not recorded without it. Run the query again; if this persists, check with "custos config check" that the portal may list the log bucket.',
    );
  }
}

async function execute(
  ctx: Ctx,
  query: SavedQuery,
  prepared: PreparedParams,
  runId: string,
  jobSignal: AbortSignal,
  progress: (p: Record<string, unknown>) => void,
): Promise<Record<string, unknown>> {
  const { engine, results } = ctx.services;
  const limitMs = ctx.services.env.CUSTOS_QUERY_TIMEOUT_SECONDS * 1000;
  const timeout = AbortSignal.timeout(limitMs);
  const signal = AbortSignal.any([jobSignal, timeout]);
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let writer: ResultWriter | undefined;
  // What the logs cover of the window is listed while the query runs, and recorded with its result.
  const window = coverageWindow(query, prepared);
  const coverage = window ? engine.coverage(query.tables, window) : Promise.resolve(null);
  coverage.catch(() => undefined);
  try {
    const execution = await engine.execute({
      ...engineRequest(query, prepared),
      requestToken: runId,
      signal,
      onProgress: (p) => progress(p),
    });
    writer = await results.createWriter(runId, execution.columns);
    for await (const batch of execution.batches) {
      if (signal.aborted) throw new EngineError('The query was cancelled.', 'cancelled', execution.executionId);
      await writer.write(batch);
    }
    const stats = await execution.stats();
    const logCoverage = await recordedCoverage(runId, coverage);
    const stored = await writer.finish();
    await withTransaction(ctx, async (tx, txCtx) => {
      await tx
        .update(queryRuns)
        .set({
          status: 'succeeded',
          engineExecutionId: stats.executionId,
          bytesScanned: stats.bytesScanned,
          filesScanned: stats.filesScanned,
          costUsd: stats.costUsd,
          rowCount: stored.rowCount,
          resultSha256: stored.sha256,
          coverage: logCoverage,
          readSplit: prepared.split,
          finishedAt: txCtx.now(),
          durationMs: elapsed(),
        })
        .where(eq(queryRuns.id, runId));
      await appendJournal(tx, txCtx, {
        action: 'query.run_finished',
        subject: runId,
        details: { queryId: query.id, rowCount: stored.rowCount, resultSha256: stored.sha256, bytesScanned: stats.bytesScanned, engineExecutionId: stats.executionId },
      });
    });
    return { rowCount: stored.rowCount, resultSha256: stored.sha256 };
  } catch (error) {
    await writer?.abort();
    const stop = jobSignal.aborted ? (jobSignal.reason as StopReason | unknown) : null;
    // This process is stopping or another worker took the job over: the run stays open for whoever runs it next.
    if (stop === 'shutdown' || stop === 'lease-lost') throw error;
    const timedOut = timeout.aborted && !jobSignal.aborted;
    const cancelled = !timedOut && error instanceof EngineError && error.code === 'cancelled';
    // The engine's own words can echo data values: the ledger and the journal get a classified
    // message, the raw text is sealed with the run for privacy officers.
    const engineText = error instanceof EngineError && error.code === 'failed' ? error.message : null;
    const message = timedOut
      ? `The query was stopped after running for ${limitMs >= 120_000 ? `${Math.round(limitMs / 60_000)} minutes` : `${Math.round(limitMs / 1000)} seconds`}, this portal's limit (CUSTOS_QUERY_TIMEOUT_SECONDS). Narrow the date range.`
      : engineText
        ? 'The query engine could not run this query. Its own message is kept, sealed, with the run; privacy officers can read it on the run page.'
        : error instanceof EngineError || error instanceof DomainError
          ? error.message
          : 'The query failed because of an internal error.';
    await settleRun(ctx, runId, query.id, cancelled ? 'cancelled' : 'failed', message, error instanceof EngineError ? (error.executionId ?? null) : null, elapsed(), engineText);
    if (!(error instanceof EngineError || error instanceof DomainError)) {
      console.error(`run ${runId} (${query.id}) failed:`, error instanceof Error ? error.name : 'unknown error');
    }
    if (cancelled) throw error;
    throw new PermanentJobFailure(message);
  }
}
