import 'server-only';
import { createHash, randomUUID } from 'node:crypto';
import { and, count, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { actorId, actorLabel, type Actor } from '@/lib/actor';
import { authorize } from '@/lib/auth/authorize';
import { canonicalize } from '@/lib/canonical';
import type { Env } from '@/lib/config/env';
import { makeCtx, type Ctx, type Services } from '@/lib/context';
import { addDays, daysBetween, isCalendarDate, utcDay } from '@/lib/days';
import type { Db } from '@/lib/db/port';
import { jobSchedules, postureRefreshes, postureSnapshots } from '@/lib/db/schema';
import { withTransaction } from '@/lib/db/tx';
import { DomainError, notFoundError, parseInput, ValidationError } from '@/lib/errors';
import { enqueueJob } from '@/lib/jobs/enqueue';
import { ensureSchedule, scheduleFromSetting, type Schedule } from '@/lib/jobs/schedules';
import type { JobHandler } from '@/lib/jobs/types';
import { wakeWorkers } from '@/lib/jobs/wake';
import { appendJournal } from '@/lib/journal/append';
import { runSavedQuery } from '@/lib/queries/run-saved-query';
import { FIGURE_KEYS, FIGURES, figureParams, SNAPSHOT_KINDS, type FigureKey, type PostureWindow, type SnapshotKind } from './figures';
import { figureSettings } from './settings';

// A refresh of the posture dashboards: every figure's saved query run and recorded (as the
// portal's own job, `posture-refresh`), and the control-plane answers snapshotted, for one
// window. Asked for from the dashboards (journaled with who asked) or by the schedule
// (CUSTOS_POSTURE_REFRESH). The dashboards then read the latest finished refresh of their window.

export const POSTURE_REFRESH_JOB = 'posture.refresh';
export const POSTURE_ACTOR: Actor = { type: 'system', job: 'posture-refresh' };
/**
 * Figures run at once within a refresh: the embedded engine already spreads one query over every
 * core, so one at a time; Athena runs them remotely, where waiting in parallel saves the time.
 */
const parallelRuns = (services: Services) => (services.engine.capabilities.localLake ? 1 : 4);
/** Refreshes open at once, portal-wide: more are refused until one finishes. */
const OPEN_REFRESHES = 3;

const day = z.string({ error: 'enter a date as YYYY-MM-DD' }).refine(isCalendarDate, 'enter a date as YYYY-MM-DD');
export const WindowInput = z.object({ from: day, to: day }).refine((w) => w.from <= w.to, { path: ['to'], message: 'must be on or after the first day' });

/** A window the dashboards accept: both days valid, in order, no longer than a query may cover. */
export function parseWindow(env: Env, raw: unknown): PostureWindow {
  const w = parseInput(WindowInput, raw, { from: 'From', to: 'To' });
  const max = env.CUSTOS_QUERY_MAX_DAYS;
  const length = daysBetween(w.from, w.to).length;
  if (length > max) {
    const problem = `the range spans ${length} days; the most allowed is ${max}`;
    throw new ValidationError(`To: ${problem}`, { to: problem });
  }
  return { from: w.from, to: w.to };
}

const openRefreshWhere = sql`${postureRefreshes.state} = 'running' AND EXISTS (SELECT 1 FROM jobs WHERE jobs.subject = ${postureRefreshes.id}::text AND jobs.kind = ${POSTURE_REFRESH_JOB} AND jobs.state IN ('queued', 'running'))`;

export type RefreshRequested = { refreshId: string; window: PostureWindow; alreadyRunning: boolean };

/** Asks for a refresh of the window; one already running for it is returned instead of starting another. */
export async function refreshPosture(ctx: Ctx, raw: unknown): Promise<RefreshRequested> {
  await authorize(ctx, 'posture.view', 'posture:refresh');
  const window = parseWindow(ctx.services.env, raw);
  const out = await withTransaction(ctx, async (tx, txCtx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext('custos.posture.refresh'))`);
    const [open] = await tx
      .select({ id: postureRefreshes.id })
      .from(postureRefreshes)
      .where(and(eq(postureRefreshes.windowFrom, window.from), eq(postureRefreshes.windowTo, window.to), openRefreshWhere))
      .limit(1);
    if (open) return { refreshId: open.id, window, alreadyRunning: true };
    const [busy] = await tx.select({ n: count() }).from(postureRefreshes).where(openRefreshWhere);
    if ((busy?.n ?? 0) >= OPEN_REFRESHES) {
      throw new DomainError('limit', `The dashboards are already being refreshed for ${busy!.n} windows. Try again when one of them has finished.`);
    }
    const refreshId = randomUUID();
    await createRefresh(tx, txCtx, refreshId, window, 'on_demand');
    await enqueueJob(tx, txCtx, { kind: POSTURE_REFRESH_JOB, subject: refreshId, payload: { refreshId }, maxAttempts: 2 });
    return { refreshId, window, alreadyRunning: false };
  });
  if (!out.alreadyRunning) wakeWorkers();
  return out;
}

async function createRefresh(tx: Db, ctx: Ctx, id: string, window: PostureWindow, trigger: 'on_demand' | 'schedule'): Promise<void> {
  await tx.insert(postureRefreshes).values({
    id,
    windowFrom: window.from,
    windowTo: window.to,
    trigger,
    state: 'running',
    runs: {},
    snapshots: {},
    problems: {},
    requestedAt: ctx.now(),
    actorType: ctx.actor.type,
    actorId: actorId(ctx.actor),
    actorLabel: actorLabel(ctx.actor),
  });
  await appendJournal(tx, ctx, { action: 'posture.refresh_requested', subject: id, details: { from: window.from, to: window.to, trigger } });
}

/** The window a scheduled refresh covers: the lake's last CUSTOS_POSTURE_REFRESH_DAYS days of logs. */
export async function scheduledWindow(services: Services, now: Date): Promise<PostureWindow> {
  const to = (await services.engine.dataWindow())?.to ?? utcDay(now);
  return { from: addDays(to, -(services.env.CUSTOS_POSTURE_REFRESH_DAYS - 1)), to };
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** Asks the control plane and records its answer with the calls behind it and its SHA-256. */
async function recordSnapshot(ctx: Ctx, kind: SnapshotKind): Promise<string> {
  const plane = ctx.services.controlPlane;
  const bucket = ctx.services.env.CUSTOS_ARCHIVE_BUCKET;
  const answer = kind === 'trails' ? await plane.trails() : await plane.lifecycle(bucket);
  const id = randomUUID();
  const digest = sha256(canonicalize(answer.answer ?? null));
  await withTransaction(ctx, async (tx, txCtx) => {
    await tx.insert(postureSnapshots).values({
      id,
      kind,
      source: plane.source,
      subject: kind === 'lifecycle' ? bucket : null,
      takenAt: txCtx.now(),
      calls: answer.calls as unknown as Record<string, unknown>[],
      body: answer.answer,
      unavailable: answer.unavailable ?? null,
      sha256: digest,
      actorId: actorId(txCtx.actor),
      actorLabel: actorLabel(txCtx.actor),
    });
    await appendJournal(tx, txCtx, {
      action: 'posture.snapshot',
      subject: id,
      details: { kind, source: plane.source, sha256: digest, calls: answer.calls.length, failedCalls: answer.calls.filter((c) => c.error).length },
    });
  });
  return id;
}

async function mergeInto(ctx: Ctx, refreshId: string, column: 'runs' | 'snapshots' | 'problems', entry: Record<string, string>): Promise<void> {
  const target = postureRefreshes[column];
  await withTransaction(ctx, (tx) =>
    tx
      .update(postureRefreshes)
      .set({ [column]: sql`${target} || ${JSON.stringify(entry)}::jsonb` })
      .where(eq(postureRefreshes.id, refreshId)),
  );
}

function problemOf(error: unknown): string {
  if (error instanceof DomainError) return error.message;
  return 'An internal error stopped this figure; see the portal log.';
}

async function inPool<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: Math.min(size, queue.length) }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item);
    }),
  );
}

// mutation-path: a worker does what a posture viewer or the schedule already asked for (authorized
// and journaled when asked); each figure's run is journaled by runSavedQuery, each snapshot and the
// refresh's end in their own transactions.
/** The refresh job: idempotent, a figure or snapshot already recorded is not done again. */
export function postureRefreshJob(services: Services): JobHandler {
  return async ({ job, signal }) => {
    const ctx = makeCtx(services, POSTURE_ACTOR, job.id);
    let refreshId = typeof job.payload.refreshId === 'string' ? job.payload.refreshId : null;
    if (!refreshId) {
      // a scheduled occurrence: the job's id is the refresh's, so a second attempt finds the first one's row
      refreshId = job.id;
      const window = await scheduledWindow(services, ctx.now());
      await withTransaction(ctx, async (tx, txCtx) => {
        const [existing] = await tx.select({ id: postureRefreshes.id }).from(postureRefreshes).where(eq(postureRefreshes.id, job.id));
        if (!existing) await createRefresh(tx, txCtx, job.id, window, 'schedule');
      });
    }
    const [row] = await ctx.db.select().from(postureRefreshes).where(eq(postureRefreshes.id, refreshId));
    if (!row || row.state !== 'running') return { skipped: row ? row.state : 'missing' };
    const window = { from: row.windowFrom, to: row.windowTo };
    const settings = figureSettings(services.env);
    const runs: Record<string, string> = { ...row.runs };
    const problems: Record<string, string> = { ...row.problems };

    const pending = FIGURE_KEYS.filter((k) => !(k in runs) && !(k in problems));
    await inPool(pending, parallelRuns(services), async (key: FigureKey) => {
      if (signal.aborted) return;
      try {
        const run = await runSavedQuery(ctx, { queryId: FIGURES[key].queryId, params: figureParams(key, window, settings) }, { wait: true, signal });
        runs[key] = run.id;
        await mergeInto(ctx, refreshId, 'runs', { [key]: run.id });
        if (run.status !== 'succeeded') {
          problems[key] = run.error ?? `The run ${run.status}.`;
          await mergeInto(ctx, refreshId, 'problems', { [key]: problems[key]! });
        }
      } catch (error) {
        if (signal.aborted) throw error;
        if (!(error instanceof DomainError)) console.error(`posture refresh ${refreshId}: ${key} failed:`, error instanceof Error ? error.name : 'unknown error');
        problems[key] = problemOf(error);
        await mergeInto(ctx, refreshId, 'problems', { [key]: problems[key]! });
      }
    });
    if (signal.aborted) throw new Error('the refresh was stopped');

    const snapshots: Record<string, string> = { ...row.snapshots };
    for (const kind of SNAPSHOT_KINDS) {
      const key = `snapshot.${kind}`;
      if (kind in snapshots || key in problems) continue;
      try {
        snapshots[kind] = await recordSnapshot(ctx, kind);
        await mergeInto(ctx, refreshId, 'snapshots', { [kind]: snapshots[kind]! });
      } catch (error) {
        console.error(`posture refresh ${refreshId}: the ${kind} snapshot failed:`, error instanceof Error ? error.name : 'unknown error');
        problems[key] = problemOf(error);
        await mergeInto(ctx, refreshId, 'problems', { [key]: problems[key]! });
      }
    }

    const good = Object.keys(runs).filter((k) => !(k in problems)).length + Object.keys(snapshots).length;
    const state = Object.keys(problems).length === 0 ? 'succeeded' : good === 0 ? 'failed' : 'partial';
    await withTransaction(ctx, async (tx, txCtx) => {
      await tx.update(postureRefreshes).set({ state, finishedAt: txCtx.now() }).where(eq(postureRefreshes.id, refreshId));
      await appendJournal(tx, txCtx, {
        action: 'posture.refresh_finished',
        subject: refreshId,
        details: { from: window.from, to: window.to, state, runs: Object.keys(runs).length, snapshots: Object.keys(snapshots).length, problems: Object.keys(problems).sort() },
      });
    });
    return { refreshId, state, runs: Object.keys(runs).length, problems: Object.keys(problems).length };
  };
}

/** The recurring refresh CUSTOS_POSTURE_REFRESH asks for: a daily UTC time or an interval; null when off. */
export function postureSchedule(env: Env): Schedule | null {
  return scheduleFromSetting(POSTURE_REFRESH_JOB, env.CUSTOS_POSTURE_REFRESH, { scheduled: true });
}

// mutation-path: the portal's own configuration, set at start by the composition root (the system actor).
/** Creates, updates or switches off the recurring posture refresh. */
export async function syncPostureSchedule(tx: Db, env: Env): Promise<void> {
  const schedule = postureSchedule(env);
  if (schedule) await ensureSchedule(tx, schedule);
  await tx.update(jobSchedules).set({ enabled: schedule !== null }).where(eq(jobSchedules.kind, POSTURE_REFRESH_JOB));
}

export type RefreshStatus = { id: string; state: string; done: number; of: number; finishedAt: string | null };

/** How far a refresh has come (figures recorded of all), for the page that waits for it. */
export async function getRefreshStatus(ctx: Ctx, refreshId: string): Promise<RefreshStatus> {
  await authorize(ctx, 'posture.view');
  if (!z.string().uuid().safeParse(refreshId).success) throw notFoundError('The refresh');
  const [row] = await ctx.db.select().from(postureRefreshes).where(eq(postureRefreshes.id, refreshId));
  if (!row) throw notFoundError('The refresh');
  const done = new Set([...Object.keys(row.runs), ...Object.keys(row.problems)].filter((k) => (FIGURE_KEYS as string[]).includes(k))).size;
  return { id: row.id, state: row.state, done, of: FIGURE_KEYS.length, finishedAt: row.finishedAt?.toISOString() ?? null };
}
