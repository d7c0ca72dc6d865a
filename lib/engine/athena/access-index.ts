import 'server-only';
import { GetQueryResultsCommand } from '@aws-sdk/client-athena';
import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { addDays, daysBetween, isCalendarDate, nextDay } from '@/lib/days';
import {
  EngineError,
  type AccessIndexBuild,
  type AccessIndexPort,
  type AccessIndexRefresh,
  type AccessIndexSpan,
} from '@/lib/engine/port';
import type { ScanScope } from '@/lib/lake/tables';
import { awsErrorMessage, awsErrorName, isAccessDenied, isCredentialProblem } from './aws-errors';
import type { AthenaContext } from './context';
import { runQueryExecution } from './query-execution';
import { withRetry } from './retry';
import { latestTrailDay } from './scan-estimate';
import { parseS3Uri, type S3Location } from './s3-uri';

/** An INSERT INTO may add at most 100 partitions; one day is one partition. */
const MAX_DAYS_PER_INSERT = 31;
/** CloudTrail may deliver a day's records into the next day's folder, and the index reads a day's neighbours. */
const DELIVERY_LAG_DAYS = 2;
const DEFAULT_BACKFILL_DAYS = 90;

const STATE_VERSION = 1;
const DELETE_BATCH = 1000;

/**
 * `from` is the first day the index holds, set with the first span written and kept after;
 * `through` the last day of the contiguous span from `from`. Both are set or both are null.
 */
type IndexState = { version: typeof STATE_VERSION; from: string | null; through: string | null; updatedAt: string };

const STATE_SHAPE = '{"version":1,"from":"YYYY-MM-DD"|null,"through":"YYYY-MM-DD"|null,"updatedAt":…}';

const isDayOrNull = (value: unknown): value is string | null =>
  value === null || (typeof value === 'string' && isCalendarDate(value));

/** The index table's root from the configuration; null when no index is configured. */
function indexRoot(location: string | undefined): S3Location | null {
  if (!location) return null;
  const parsed = parseS3Uri(location);
  if (!parsed || !(parsed.key === '' || parsed.key.endsWith('/'))) {
    throw new EngineError(
      `CUSTOS_ATHENA_INDEX_LOCATION "${location}" is not an s3://bucket/prefix/ URI ending in "/".`,
      'config',
    );
  }
  return parsed;
}

/** Beside the day= partitions, so Athena never reads it as data. */
function stateKey(root: S3Location): string {
  return `${root.key}_custos/state.json`;
}

function cancelled(): EngineError {
  return new EngineError('The access index refresh was cancelled.', 'cancelled');
}

function s3Failure(error: unknown, doing: string, permission: string): EngineError {
  if (error instanceof EngineError) return error;
  if (isCredentialProblem(error)) {
    return new EngineError(`AWS rejected Custos's credentials while ${doing} (${awsErrorName(error)}): ${awsErrorMessage(error)}`, 'config');
  }
  if (isAccessDenied(error)) {
    return new EngineError(`Custos could not ${doing}: the IAM permission ${permission} is missing.`, 'config');
  }
  return new EngineError(`Custos could not ${doing} (${awsErrorName(error)}): ${awsErrorMessage(error)}`, 'failed');
}

function parseState(text: string, where: string): IndexState {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  const state = value as Partial<IndexState> | undefined;
  const from = state?.from;
  const through = state?.through;
  if (state?.version === STATE_VERSION && from === undefined && typeof through === 'string') {
    // A state written before the index recorded its first day: which days it holds is unknown.
    throw new EngineError(
      `The access index state ${where} says the index ends on ${through} but not which day it starts on ("from" is missing). ` +
        `Add "from":"YYYY-MM-DD" (the first day indexed) to it, or delete it with the index's day= folders to rebuild the index.`,
      'failed',
    );
  }
  if (state?.version !== STATE_VERSION || !isDayOrNull(from) || !isDayOrNull(through) || typeof state.updatedAt !== 'string') {
    throw new EngineError(`The access index state ${where} is not a version ${STATE_VERSION} state (${STATE_SHAPE}).`, 'failed');
  }
  if ((from === null) !== (through === null) || (from !== null && through !== null && from > through)) {
    throw new EngineError(
      `The access index state ${where} holds "from" ${String(from)} and "through" ${String(through)}: ` +
        'both must be days, "from" on or before "through", or both null.',
      'failed',
    );
  }
  return { version: STATE_VERSION, from, through, updatedAt: state.updatedAt };
}

async function readState(ctx: AthenaContext, root: S3Location, signal?: AbortSignal): Promise<IndexState | null> {
  const key = stateKey(root);
  const where = `s3://${root.bucket}/${key}`;
  let text: string;
  try {
    text = await withRetry(
      's3:GetObject',
      async () => {
        const out = await ctx.s3.send(new GetObjectCommand({ Bucket: root.bucket, Key: key }), { abortSignal: signal });
        return (await out.Body?.transformToString('utf8')) ?? '';
      },
      ctx.retry,
      signal,
    );
  } catch (error) {
    if (awsErrorName(error) === 'NoSuchKey') return null;
    if (signal?.aborted) throw cancelled();
    throw s3Failure(error, `read the access index state ${where}`, `s3:GetObject on ${root.bucket}`);
  }
  return parseState(text, where);
}

async function writeState(ctx: AthenaContext, root: S3Location, span: AccessIndexSpan, signal?: AbortSignal): Promise<void> {
  const key = stateKey(root);
  const state: IndexState = { version: STATE_VERSION, from: span.from, through: span.through, updatedAt: new Date().toISOString() };
  try {
    await withRetry(
      's3:PutObject',
      () =>
        ctx.s3.send(
          new PutObjectCommand({ Bucket: root.bucket, Key: key, Body: JSON.stringify(state), ContentType: 'application/json' }),
          { abortSignal: signal },
        ),
      ctx.retry,
      signal,
    );
  } catch (error) {
    if (signal?.aborted) throw cancelled();
    throw s3Failure(error, `write the access index state s3://${root.bucket}/${key}`, `s3:PutObject on ${root.bucket}`);
  }
}

type IndexObject = { key: string; size: number };

/**
 * The objects under `<root>day=D/` for the days of `days`, in one listing: day folders sort by
 * date, so the listing starts at the first day and stops past the last.
 */
async function objectsOfDays(ctx: AthenaContext, root: S3Location, days: ScanScope, signal?: AbortSignal): Promise<IndexObject[]> {
  const prefix = `${root.key}day=`;
  const end = `${prefix}${nextDay(days.to)}`;
  const out: IndexObject[] = [];
  let token: string | undefined;
  do {
    const page = await withRetry(
      's3:ListObjectsV2',
      () =>
        ctx.s3.send(
          new ListObjectsV2Command({
            Bucket: root.bucket,
            Prefix: prefix,
            StartAfter: token ? undefined : `${prefix}${days.from}`,
            ContinuationToken: token,
          }),
          { abortSignal: signal },
        ),
      ctx.retry,
      signal,
    ).catch((error: unknown) => {
      throw s3Failure(error, `list s3://${root.bucket}/${prefix}…`, `s3:ListBucket on ${root.bucket}`);
    });
    for (const o of page.Contents ?? []) {
      if (o.Key === undefined) continue;
      if (o.Key >= end) return out;
      const day = /^(\d{4}-\d{2}-\d{2})\//.exec(o.Key.slice(prefix.length))?.[1];
      if (day !== undefined && day >= days.from && day <= days.to) out.push({ key: o.Key, size: o.Size ?? 0 });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out;
}

/**
 * What reading `days` from the index reads at most: the objects of their partitions (Athena reads
 * only the columns and row groups a query needs). Nothing when no index is configured.
 */
export async function indexScan(ctx: AthenaContext, days: ScanScope): Promise<{ files: number; bytes: number; partitions: number }> {
  const root = indexRoot(ctx.config.indexLocation);
  if (!root) return { files: 0, bytes: 0, partitions: 0 };
  const objects = await objectsOfDays(ctx, root, days);
  const partitions = new Set(objects.map((o) => o.key.slice(0, o.key.lastIndexOf('/'))));
  return { files: objects.length, bytes: objects.reduce((n, o) => n + o.size, 0), partitions: partitions.size };
}

async function deleteObjects(ctx: AthenaContext, root: S3Location, keys: string[], signal?: AbortSignal): Promise<void> {
  for (let start = 0; start < keys.length; start += DELETE_BATCH) {
    const batch = keys.slice(start, start + DELETE_BATCH);
    const out = await withRetry(
      's3:DeleteObjects',
      () =>
        ctx.s3.send(
          new DeleteObjectsCommand({
            Bucket: root.bucket,
            Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
          }),
          { abortSignal: signal },
        ),
      ctx.retry,
      signal,
    ).catch((error: unknown) => {
      throw s3Failure(error, `delete objects under s3://${root.bucket}/${root.key}`, `s3:DeleteObject on ${root.bucket}`);
    });
    const failed = out.Errors?.[0];
    if (failed) {
      throw s3Failure(
        { name: failed.Code ?? 'Error', message: failed.Message ?? '' },
        `delete s3://${root.bucket}/${failed.Key ?? ''} (${out.Errors!.length} of ${batch.length} objects were not deleted)`,
        `s3:DeleteObject on ${root.bucket}`,
      );
    }
  }
}

/** Rows an INSERT wrote (GetQueryResults UpdateCount); 0 when Athena does not say. */
async function insertedRows(ctx: AthenaContext, executionId: string, signal?: AbortSignal): Promise<number> {
  try {
    const out = await withRetry(
      'athena:GetQueryResults',
      () => ctx.athena.send(new GetQueryResultsCommand({ QueryExecutionId: executionId, MaxResults: 1 }), { abortSignal: signal }),
      ctx.retry,
      signal,
    );
    return out.UpdateCount ?? 0;
  } catch {
    // The rows are written and the count is only reported: a failure here must not undo the day.
    return 0;
  }
}

/** Consecutive spans of at most `size` days covering `from`..`to`. */
export function chunkDays(from: string, to: string, size: number): ScanScope[] {
  const days = daysBetween(from, to);
  const out: ScanScope[] = [];
  for (let i = 0; i < days.length; i += size) {
    const span = days.slice(i, i + size);
    out.push({ from: span[0]!, to: span.at(-1)! });
  }
  return out;
}

function builtError(error: unknown, chunk: ScanScope, through: string | null): EngineError {
  const kept = through
    ? `The index still ends on ${through}; later days are read from the raw logs`
    : 'Nothing is indexed yet; saved queries read the raw logs';
  const engineError =
    error instanceof EngineError ? error : new EngineError(`${awsErrorName(error)}: ${awsErrorMessage(error)}`, 'failed');
  const reason = /[.!?]$/.test(engineError.message) ? engineError.message : `${engineError.message}.`;
  return new EngineError(
    `The access index was not built for ${chunk.from} to ${chunk.to}: ${reason} ${kept}, and the next refresh starts again at ${chunk.from}.`,
    engineError.code,
    engineError.executionId,
  );
}

/**
 * The access index on Athena: a Parquet table (lib/lake/ddl/access_index.sql) filled by INSERT
 * INTO, up to 31 days per statement, and its span in `<index location>_custos/state.json`: `from`,
 * the first day of the first statement that succeeded, then kept; `through`, the watermark, moved
 * only after a statement succeeded. Days after the watermark may hold objects of a failed
 * attempt; nobody reads them, and the next attempt deletes them before inserting again.
 */
export function athenaAccessIndex(ctx: AthenaContext): AccessIndexPort {
  // An INSERT must never be answered from a cached result: the rows would not be written.
  const insertCtx: AthenaContext = { ...ctx, config: { ...ctx.config, resultReuseMinutes: 0 } };

  return {
    span: async (): Promise<AccessIndexSpan | null> => {
      const root = indexRoot(ctx.config.indexLocation);
      if (!root) return null;
      const state = await readState(ctx, root);
      return state?.from && state.through ? { from: state.from, through: state.through } : null;
    },

    refresh: async (build: AccessIndexBuild, options: { signal?: AbortSignal } = {}): Promise<AccessIndexRefresh> => {
      const { signal } = options;
      const startedAt = performance.now();
      const tally = { daysBuilt: 0, rows: 0, bytesWritten: 0 };
      const done = (through: string | null): AccessIndexRefresh => ({
        ...tally,
        through,
        seconds: Math.round(performance.now() - startedAt) / 1000,
      });

      const root = indexRoot(ctx.config.indexLocation);
      if (!root) return done(null);
      if (signal?.aborted) throw cancelled();
      const state = await readState(ctx, root, signal);
      // Set by the first span written (the first day of the first refresh), then never moved.
      let from = state?.from ?? null;
      let through = state?.through ?? null;

      let latest: string | null;
      try {
        latest = await latestTrailDay(ctx);
      } catch (error) {
        throw s3Failure(error, `list the CloudTrail day folders in s3://${ctx.config.logBucket}`, `s3:ListBucket on ${ctx.config.logBucket}`);
      }
      if (!latest) return done(through);
      const lastComplete = addDays(latest, -DELIVERY_LAG_DAYS);
      const first = through ? nextDay(through) : (ctx.config.indexStart ?? addDays(lastComplete, -DEFAULT_BACKFILL_DAYS));
      if (first > lastComplete) return done(through);

      for (const chunk of chunkDays(first, lastComplete, MAX_DAYS_PER_INSERT)) {
        if (signal?.aborted) throw cancelled();
        try {
          const leftovers = await objectsOfDays(ctx, root, chunk, signal);
          await deleteObjects(ctx, root, leftovers.map((o) => o.key), signal);

          const statement = build.insert(chunk);
          const execution = await runQueryExecution(
            insertCtx,
            { sql: statement.sql, binds: statement.binds, tables: [], scope: null, signal },
            performance.now(),
          );
          const rows = await insertedRows(ctx, execution.QueryExecutionId, signal);
          const written = await objectsOfDays(ctx, root, chunk, signal);
          await writeState(ctx, root, { from: from ?? chunk.from, through: chunk.to }, signal);

          from ??= chunk.from;
          through = chunk.to;
          tally.daysBuilt += daysBetween(chunk.from, chunk.to).length;
          tally.rows += rows;
          tally.bytesWritten += written.reduce((sum, o) => sum + o.size, 0);
        } catch (error) {
          throw builtError(signal?.aborted && !(error instanceof EngineError) ? cancelled() : error, chunk, through);
        }
      }
      return done(through);
    },
  };
}
