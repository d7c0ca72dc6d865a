import 'server-only';
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { actorId, actorLabel, actorRole } from '@/lib/actor';
import type { Ctx } from '@/lib/context';
import { withTransaction } from '@/lib/db/tx';
import { queryRuns } from '@/lib/db/schema';
import { EngineError, type EngineProgress } from '@/lib/engine/port';
import { DomainError, ValidationError } from '@/lib/errors';
import { catalogKey } from '@/lib/phi';
import { appendJournal } from '@/lib/journal/append';
import type { JournalEvents } from '@/lib/journal/events';
import { finishRun, registerRun } from './active-runs';
import { toRunDto, type RunDto } from './run-dto';
import { prepareParams, type PreparedParams } from './params';
import { paramDefaults } from './param-defaults';
import { loadRunnableQuery } from './runnable-query';
import { formatBytes } from '@/lib/format';
import type { SavedQuery } from './definition';

// Runs a saved query: authorize → validate → ledger row + journal → engine → result store →
// ledger row + journal. A run that fails or is cancelled is recorded as such, never as succeeded.

/** A re-run binds the values an earlier run recorded; everything else comes from a person's form. */
export type RunSource = { from: 'form' } | { from: 'ledger'; runId: string };

export type RunOptions = {
  /** Wait for the result (CLI, tests); otherwise return as soon as the run is recorded. */
  wait: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: EngineProgress) => void;
  /** Where the values come from: a form (the default), or an earlier run's ledger row (a re-run). */
  source?: RunSource;
};

async function rejected(ctx: Ctx, queryId: string, details: JournalEvents['query.run_rejected']): Promise<void> {
  await withTransaction(ctx, (tx, txCtx) => appendJournal(tx, txCtx, { action: 'query.run_rejected', subject: queryId, details }));
}

/** Validates and prices a run; a refusal is journaled. */
async function prepareRun(ctx: Ctx, query: SavedQuery, params: Record<string, unknown>, source: RunSource) {
  const { services } = ctx;
  let prepared: PreparedParams;
  try {
    prepared = prepareParams(query, params, {
      catalogKey: catalogKey(services.env),
      maxDays: services.env.CUSTOS_QUERY_MAX_DAYS,
      defaults: await paramDefaults(ctx),
      source: source.from,
    });
  } catch (error) {
    if (error instanceof ValidationError) {
      await rejected(ctx, query.id, { reason: 'invalid_parameters', fields: Object.keys(error.fieldErrors) });
    }
    throw error;
  }
  const estimate = await services.engine.estimate({ tables: query.tables, scope: prepared.scope });
  const limit = services.env.CUSTOS_SCAN_LIMIT_BYTES;
  if (estimate.bytes > limit) {
    await rejected(ctx, query.id, { reason: 'scan_limit', estimatedBytes: String(estimate.bytes) });
    throw new DomainError(
      'limit',
      `This query would read about ${formatBytes(estimate.bytes)} of logs, above this portal's limit of ${formatBytes(limit)} per query. Narrow the date range and run it again.`,
    );
  }
  return { prepared, estimate };
}

export async function runSavedQuery(ctx: Ctx, raw: unknown, options: RunOptions): Promise<RunDto> {
  const { query, params } = await loadRunnableQuery(ctx, raw);
  const source = options.source ?? { from: 'form' };
  const rerunOf = source.from === 'ledger' ? source.runId : null;
  const { prepared, estimate } = await prepareRun(ctx, query, params, source);

  const runId = randomUUID();
  const { engine } = ctx.services;
  const row = await withTransaction(ctx, async (tx, txCtx) => {
    const [created] = await tx
      .insert(queryRuns)
      .values({
        id: runId,
        queryId: query.id,
        queryTitle: query.title,
        sqlSha256: query.sqlSha256,
        parameters: prepared.display,
        binds: prepared.bound,
        engine: engine.kind,
        status: 'running',
        scopeFrom: prepared.scope?.from ?? null,
        scopeTo: prepared.scope?.to ?? null,
        estimatedBytes: estimate.bytes,
        startedAt: txCtx.now(),
        actorType: ctx.actor.type,
        actorId: actorId(ctx.actor),
        actorLabel: actorLabel(ctx.actor),
        actorRole: actorRole(ctx.actor) ?? ctx.actor.type,
        rerunOf,
      })
      .returning();
    await appendJournal(tx, txCtx, {
      action: 'query.run',
      subject: runId,
      details: {
        queryId: query.id,
        sqlSha256: query.sqlSha256,
        engine: engine.kind,
        ...(prepared.scope ? { from: prepared.scope.from, to: prepared.scope.to } : {}),
        parameters: Object.entries(prepared.display).map(([k, v]) => `${k}=${v}`),
        ...(rerunOf ? { rerunOf } : {}),
      },
    });
    return created!;
  });

  const execution = execute(ctx, query, prepared, runId, options);
  if (!options.wait) {
    execution.catch(() => undefined);
    return toRunDto(row);
  }
  return execution;
}

async function execute(ctx: Ctx, query: SavedQuery, prepared: PreparedParams, runId: string, options: RunOptions): Promise<RunDto> {
  const { engine, results } = ctx.services;
  const active = registerRun(runId);
  const limitMs = ctx.services.env.CUSTOS_QUERY_TIMEOUT_SECONDS * 1000;
  const timeout = AbortSignal.timeout(limitMs);
  const signal = AbortSignal.any([active.controller.signal, timeout, ...(options.signal ? [options.signal] : [])]);
  const started = performance.now();
  let writer: Awaited<ReturnType<typeof results.createWriter>> | undefined;
  try {
    const execution = await engine.execute({
      sql: query.sql,
      binds: prepared.binds,
      tables: query.tables,
      scope: prepared.scope,
      requestToken: runId,
      signal,
      onProgress: (p) => {
        active.progress = p;
        options.onProgress?.(p);
      },
    });
    writer = await results.createWriter(runId, execution.columns);
    for await (const batch of execution.batches) {
      if (signal.aborted) throw new EngineError('The query was cancelled.', 'cancelled', execution.executionId);
      await writer.write(batch);
    }
    const stats = await execution.stats();
    const stored = await writer.finish();
    return await withTransaction(ctx, async (tx, txCtx) => {
      const [updated] = await tx
        .update(queryRuns)
        .set({
          status: 'succeeded',
          engineExecutionId: stats.executionId,
          bytesScanned: stats.bytesScanned,
          filesScanned: stats.filesScanned,
          costUsd: stats.costUsd,
          rowCount: stored.rowCount,
          resultSha256: stored.sha256,
          finishedAt: txCtx.now(),
          durationMs: Math.round(performance.now() - started),
        })
        .where(eq(queryRuns.id, runId))
        .returning();
      await appendJournal(tx, txCtx, {
        action: 'query.run_finished',
        subject: runId,
        details: {
          queryId: query.id,
          rowCount: stored.rowCount,
          resultSha256: stored.sha256,
          bytesScanned: stats.bytesScanned,
          engineExecutionId: stats.executionId,
        },
      });
      return toRunDto(updated!);
    });
  } catch (error) {
    await writer?.abort();
    const timedOut = timeout.aborted && !active.controller.signal.aborted && !options.signal?.aborted;
    const cancelled = !timedOut && error instanceof EngineError && error.code === 'cancelled';
    const message = timedOut
      ? `The query was stopped after running for ${limitMs >= 120_000 ? `${Math.round(limitMs / 60_000)} minutes` : `${Math.round(limitMs / 1000)} seconds`}, this portal's limit (CUSTOS_QUERY_TIMEOUT_SECONDS). Narrow the date range.`
      : error instanceof EngineError || error instanceof DomainError
        ? error.message
        : 'The query failed because of an internal error.';
    const dto = await withTransaction(ctx, async (tx, txCtx) => {
      const [updated] = await tx
        .update(queryRuns)
        .set({
          status: cancelled ? 'cancelled' : 'failed',
          error: message,
          engineExecutionId: error instanceof EngineError ? (error.executionId ?? null) : null,
          finishedAt: txCtx.now(),
          durationMs: Math.round(performance.now() - started),
        })
        .where(eq(queryRuns.id, runId))
        .returning();
      await appendJournal(tx, txCtx, {
        action: cancelled ? 'query.run_cancelled' : 'query.run_failed',
        subject: runId,
        details: { queryId: query.id, error: message },
      });
      return toRunDto(updated!);
    });
    if (!(error instanceof EngineError || error instanceof DomainError)) {
      console.error(`run ${runId} (${query.id}) failed:`, error instanceof Error ? error.name : 'unknown error');
    }
    return dto;
  } finally {
    finishRun(runId);
  }
}
