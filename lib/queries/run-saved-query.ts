import 'server-only';
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { actorId, actorLabel, actorRole } from '@/lib/actor';
import type { Ctx } from '@/lib/context';
import { withTransaction } from '@/lib/db/tx';
import { queryRuns, type QueryRunRow } from '@/lib/db/schema';
import { DomainError, ValidationError } from '@/lib/errors';
import { appendJournal } from '@/lib/journal/append';
import type { JournalEvents } from '@/lib/journal/events';
import { enqueueJob } from '@/lib/jobs/enqueue';
import { wakeWorkers } from '@/lib/jobs/wake';
import { estimateRequest } from './engine-request';
import { indexSpanFor } from './index-span';
import { QUERY_RUN_JOB } from './query-run-job';
import { toRunDto, type RunDto } from './run-dto';
import { prepareParams, type PreparedParams } from './params';
import { prepareOptions } from './param-defaults';
import { runLimitBreach, RunLimitError } from './run-limits';
import { ledgerColumns } from './sealed-params';
import { loadRunnableQuery } from './runnable-query';
import { formatBytes } from '@/lib/format';
import type { SavedQuery } from './definition';

// Runs a saved query: authorize → validate → ledger row + its job + journal, in one transaction →
// a worker runs the job (lib/queries/query-run-job.ts). With `wait`, this process runs it now.

/**
 * A re-run binds the values an earlier run recorded; a patient view opened from a result row binds
 * the patient hash a sealed link carried (lib/queries/patient-link.ts); everything else comes from a
 * person's form.
 */
export type RunSource =
  | { from: 'form' }
  | { from: 'ledger'; runId: string; /** the earlier run's partial display of its PHI parameters */ phiDisplay: Record<string, string> }
  | { from: 'patient-link'; phiDisplay: Record<string, string> };

export type RunOptions = {
  /** Wait for the result (CLI, tests); otherwise return as soon as the run is recorded. */
  wait: boolean;
  /** Aborting it cancels the run (with `wait`). */
  signal?: AbortSignal;
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
    // a ledger row and a patient link both carry MRNs already hashed
    prepared = prepareParams(query, params, await prepareOptions(ctx, source.from === 'form' ? 'form' : 'ledger'));
  } catch (error) {
    if (error instanceof ValidationError) {
      await rejected(ctx, query.id, { reason: 'invalid_parameters', fields: Object.keys(error.fieldErrors) });
    }
    throw error;
  }
  const estimate = await services.engine.estimate(estimateRequest(query, prepared.scope, await indexSpanFor(services, query, `estimate of ${query.id}`)));
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
  let jobId = '';
  let row: QueryRunRow;
  try {
    row = await withTransaction(ctx, async (tx, txCtx) => {
      const breach = await runLimitBreach(tx, txCtx);
      if (breach) throw new RunLimitError(breach);
      const [created] = await tx
        .insert(queryRuns)
        .values({
          id: runId,
          queryId: query.id,
          queryTitle: query.title,
          sqlSha256: query.sqlSha256,
          ...ledgerColumns(ctx.services.keys, runId, prepared, source.from === 'form' ? prepared.phiDisplay : { ...prepared.phiDisplay, ...source.phiDisplay }),
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
      jobId = await enqueueJob(tx, txCtx, { kind: QUERY_RUN_JOB, subject: runId, payload: { runId, actor: ctx.actor }, maxAttempts: 2 });
      return created!;
    });
  } catch (error) {
    if (error instanceof RunLimitError) await rejected(ctx, query.id, { reason: error.breach.reason });
    throw error;
  }

  if (!options.wait) {
    wakeWorkers();
    return toRunDto(ctx, row);
  }
  await ctx.services.jobs.runNow(jobId, { signal: options.signal });
  const [finished] = await ctx.db.select().from(queryRuns).where(eq(queryRuns.id, runId));
  return toRunDto(ctx, finished!);
}

