import 'server-only';
import { createHash, randomUUID } from 'node:crypto';
import {
  GetQueryExecutionCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type QueryExecution,
  type StartQueryExecutionCommandInput,
} from '@aws-sdk/client-athena';
import { EngineError, type EngineRequest } from '@/lib/engine/port';
import { awsErrorMessage, awsErrorName, deniedAction, isAccessDenied, isCredentialProblem } from './aws-errors';
import { formatBytes, type AthenaContext } from './context';
import { LiteralError, encodeExecutionParameters } from './literal';
import { sleep, withRetry } from './retry';

export type SucceededExecution = QueryExecution & { QueryExecutionId: string };

const CUTOFF_REASON = /bytes scanned limit/i;

function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 120_000) return `${Math.round(ms / 1000)} seconds`;
  return `${Math.round(ms / 60_000)} minutes`;
}

/** Athena wants 32–128 characters; other caller tokens are hashed, which keeps retries idempotent. */
export function clientRequestToken(requestToken: string | undefined): string {
  if (requestToken === undefined) return randomUUID();
  if (/^[\x21-\x7E]{32,128}$/.test(requestToken)) return requestToken;
  return createHash('sha256').update(requestToken, 'utf8').digest('hex');
}

export function startRequest(ctx: AthenaContext, request: EngineRequest): StartQueryExecutionCommandInput {
  const { config } = ctx;
  let parameters: string[] | undefined;
  try {
    parameters = encodeExecutionParameters(request.binds);
  } catch (error) {
    if (error instanceof LiteralError) throw new EngineError(`The query was not started. ${error.message}`, 'failed');
    throw error;
  }
  return {
    QueryString: request.sql,
    ExecutionParameters: parameters,
    QueryExecutionContext: { Catalog: config.catalog, Database: config.database },
    WorkGroup: config.workGroup,
    ResultConfiguration: config.outputLocation ? { OutputLocation: config.outputLocation } : undefined,
    ClientRequestToken: clientRequestToken(request.requestToken),
    ResultReuseConfiguration:
      config.resultReuseMinutes > 0
        ? { ResultReuseByAgeConfiguration: { Enabled: true, MaxAgeInMinutes: config.resultReuseMinutes } }
        : undefined,
  };
}

async function stopQuietly(ctx: AthenaContext, executionId: string): Promise<void> {
  try {
    await withRetry(
      'athena:StopQueryExecution',
      () => ctx.athena.send(new StopQueryExecutionCommand({ QueryExecutionId: executionId })),
      { ...ctx.retry, attempts: Math.min(ctx.retry.attempts, 3) },
    );
  } catch {
    // Stopping is best effort: the execution already failed for the caller, and Athena's own
    // workgroup timeout ends a query nobody stopped.
  }
}

async function cancelledError(ctx: AthenaContext, execution: QueryExecution, executionId: string): Promise<EngineError> {
  const reason = execution.Status?.StateChangeReason ?? execution.Status?.AthenaError?.ErrorMessage;
  const scanned = execution.Statistics?.DataScannedInBytes ?? 0;
  const workGroupName = execution.WorkGroup ?? ctx.config.workGroup;
  const cutoff = (await ctx.workGroup())?.Configuration?.BytesScannedCutoffPerQuery;
  // AWS documents that a query over the workgroup's per-query data limit is cancelled; Athena
  // reports it as CANCELLED with StateChangeReason "Bytes scanned limit was exceeded".
  const overCutoff = (reason !== undefined && CUTOFF_REASON.test(reason)) || (cutoff !== undefined && scanned >= cutoff);
  if (overCutoff) {
    const limit =
      cutoff !== undefined
        ? `allows at most ${formatBytes(cutoff)} (${cutoff.toLocaleString('en-US')} bytes) per query`
        : 'has a per-query data limit';
    return new EngineError(
      `Athena stopped the query after it scanned ${formatBytes(scanned)}: the workgroup "${workGroupName}" ${limit} ` +
        '(BytesScannedCutoffPerQuery). Narrow the date range, or ask an administrator to raise the limit. ' +
        'The data scanned before the stop is billed.',
      'limit',
      executionId,
    );
  }
  return new EngineError(
    `The query was cancelled outside Custos${reason ? ` (${reason})` : ''}.`,
    'cancelled',
    executionId,
  );
}

function failedError(execution: QueryExecution, executionId: string): EngineError {
  const reason = execution.Status?.AthenaError?.ErrorMessage ?? execution.Status?.StateChangeReason ?? 'no reason given';
  return new EngineError(`Athena could not run the query: ${reason}`, 'failed', executionId);
}

const CONFIG_PROBLEM = /workgroup .*(?:not found|disabled)|output location|no such bucket|database .*not found/i;

function refusedError(error: unknown, executionId: string | undefined): EngineError {
  if (isCredentialProblem(error)) {
    return new EngineError(`AWS rejected Custos's credentials (${awsErrorName(error)}): ${awsErrorMessage(error)}`, 'config');
  }
  if (isAccessDenied(error)) {
    const action = deniedAction(error, executionId ? 'athena:GetQueryExecution' : 'athena:StartQueryExecution');
    return new EngineError(`Custos is not allowed to run Athena queries: the IAM permission ${action} is missing.`, 'config', executionId);
  }
  const code = CONFIG_PROBLEM.test(awsErrorMessage(error)) ? 'config' : 'failed';
  return new EngineError(`Athena refused the query (${awsErrorName(error)}): ${awsErrorMessage(error)}`, code, executionId);
}

/**
 * Starts the statement and polls it with backoff until it succeeds. Timeout or the caller's
 * abort stop the execution on Athena before the error is thrown.
 */
export async function runQueryExecution(
  ctx: AthenaContext,
  request: EngineRequest,
  startedAt: number,
): Promise<SucceededExecution> {
  const { config } = ctx;
  if (request.signal?.aborted) throw new EngineError('The query was cancelled before it started.', 'cancelled');
  const input = startRequest(ctx, request);

  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new Error('timeout')), config.timeoutMs);
  const signal = request.signal ? AbortSignal.any([request.signal, deadline.signal]) : deadline.signal;
  let executionId: string | undefined;

  const interrupted = async (): Promise<EngineError> => {
    if (executionId) await stopQuietly(ctx, executionId);
    if (request.signal?.aborted) return new EngineError('The query was cancelled.', 'cancelled', executionId);
    return new EngineError(
      `The query did not finish within ${formatDuration(config.timeoutMs)} and was stopped.`,
      'timeout',
      executionId,
    );
  };

  try {
    const started = await withRetry(
      'athena:StartQueryExecution',
      () => ctx.athena.send(new StartQueryExecutionCommand(input), { abortSignal: signal }),
      ctx.retry,
      signal,
    );
    executionId = started.QueryExecutionId;
    if (!executionId) throw new EngineError('Athena did not return a QueryExecutionId.', 'failed');

    let delay = config.pollMinMs;
    for (;;) {
      await sleep(delay, signal);
      delay = Math.min(config.pollMaxMs, delay * 2);
      const id = executionId;
      const { QueryExecution: execution } = await withRetry(
        'athena:GetQueryExecution',
        () => ctx.athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }), { abortSignal: signal }),
        ctx.retry,
        signal,
      );
      const state = execution?.Status?.State;
      const bytesScanned = execution?.Statistics?.DataScannedInBytes;
      if (state === 'QUEUED' || state === 'RUNNING') {
        request.onProgress?.({
          state: state === 'QUEUED' ? 'queued' : 'running',
          bytesScanned,
          elapsedMs: Math.round(performance.now() - startedAt),
        });
        continue;
      }
      if (!execution) throw new EngineError('Athena returned no QueryExecution.', 'failed', id);
      if (state === 'SUCCEEDED') return { ...execution, QueryExecutionId: id };
      if (state === 'FAILED') {
        const reason = execution.Status?.StateChangeReason ?? '';
        throw CUTOFF_REASON.test(reason) ? await cancelledError(ctx, execution, id) : failedError(execution, id);
      }
      if (state === 'CANCELLED') throw await cancelledError(ctx, execution, id);
      throw new EngineError(`Athena reported an unknown query state "${String(state)}".`, 'failed', id);
    }
  } catch (error) {
    if (signal.aborted) throw await interrupted();
    if (error instanceof EngineError) {
      if (!error.executionId && executionId) throw new EngineError(error.message, error.code, executionId);
      throw error;
    }
    throw refusedError(error, executionId);
  } finally {
    clearTimeout(timer);
  }
}
