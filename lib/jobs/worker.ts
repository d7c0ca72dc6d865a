import 'server-only';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Actor } from '@/lib/actor';
import type { Db } from '@/lib/db/port';
import type { JobRow } from '@/lib/db/schema';
import { isDomainError } from '@/lib/errors';
import { appendJournal } from '@/lib/journal/append';
import type { JournalEntryInput, JournalEvents } from '@/lib/journal/events';
import { claimJob, readJob, renewLease, requestCancel, settleJob, type Settlement } from './lease';
import type { JobRunner } from './port';
import { enqueueDueSchedules, enqueueUnlessOpen } from './schedules';
import { PermanentJobFailure, type JobHandlers, type StopReason } from './types';
import { onWake } from './wake';

export type WorkerOptions = {
  db: Db;
  /** The handlers by kind, or a function giving them (resolved at first use, for handlers that need the finished services). */
  handlers: JobHandlers | (() => JobHandlers);
  /** Names this worker in leases and the journal. */
  owner?: string;
  /** How long a claim holds without a heartbeat; a worker that stops is taken over after this. */
  leaseMs?: number;
  pollMs?: number;
  /** Jobs run at once by this worker. */
  concurrency?: number;
  /** Enqueue recurring jobs whose time has come (one worker per deployment is enough, any may). */
  schedules?: boolean;
  /** Wait before a failed job's next attempt (default 2^attempt seconds). */
  retryDelaySeconds?: (attempt: number) => number;
  /** Jobs enqueued when a condition holds (checked at most every `everyMs`), unless one of the kind is open. */
  triggers?: Trigger[];
};

export type Trigger = { kind: string; everyMs: number; due: () => Promise<boolean> };

const WORKER: Actor = { type: 'system', job: 'worker' };
const FINAL = new Set(['succeeded', 'failed', 'cancelled']);

function errorText(error: unknown): string {
  if (error instanceof PermanentJobFailure || isDomainError(error)) return error.message;
  return `internal error (${error instanceof Error ? error.name : 'unknown'})`;
}

function journalCtx(job: JobRow) {
  return { actor: WORKER, now: () => new Date(), requestId: job.id };
}

type JobAction = 'job.started' | 'job.taken_over' | 'job.finished' | 'job.failed' | 'job.cancelled';

async function journal<A extends JobAction>(db: Db, job: JobRow, action: A, details: JournalEvents[A]) {
  await appendJournal(db, journalCtx(job), { action, subject: job.id, details } as JournalEntryInput);
}

/** A worker: claims due jobs under a lease, renews it while the handler runs, settles and journals the outcome. */
export function createJobRunner(options: WorkerOptions): JobRunner {
  const owner = options.owner ?? `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const leaseMs = options.leaseMs ?? 30_000;
  const pollMs = options.pollMs ?? 1_000;
  const heartbeatMs = Math.max(50, Math.min(leaseMs / 3, 2_000));
  const concurrency = options.concurrency ?? 2;
  const { db } = options;
  let resolved: JobHandlers | null = null;
  const handlers = () => (resolved ??= typeof options.handlers === 'function' ? options.handlers() : options.handlers);
  const running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  let loop: Promise<void> | null = null;
  let stopping = false;
  let wake: (() => void) | null = null;
  let unsubscribe: (() => void) | null = null;

  async function claim(filter: { id?: string }): Promise<JobRow | null> {
    return db.transaction(async (txRaw) => {
      const tx = txRaw as unknown as Db;
      const claimed = await claimJob(tx, owner, leaseMs, { kinds: Object.keys(handlers()), ...filter });
      if (!claimed) return null;
      const { job, takenOverFrom } = claimed;
      if (takenOverFrom) await journal(tx, job, 'job.taken_over', { kind: job.kind, attempt: job.attempts, worker: owner, previousWorker: takenOverFrom });
      else await journal(tx, job, 'job.started', { kind: job.kind, attempt: job.attempts, worker: owner });
      return job;
    });
  }

  async function settle(job: JobRow, outcome: Settlement): Promise<void> {
    await db.transaction(async (txRaw) => {
      const tx = txRaw as unknown as Db;
      if (!(await settleJob(tx, job.id, owner, outcome))) return;
      if (outcome.state === 'succeeded') await journal(tx, job, 'job.finished', { kind: job.kind, attempt: job.attempts });
      else if (outcome.state === 'cancelled') await journal(tx, job, 'job.cancelled', { kind: job.kind, attempt: job.attempts });
      else await journal(tx, job, 'job.failed', { kind: job.kind, attempt: job.attempts, error: outcome.error, willRetry: outcome.state === 'queued' });
    });
  }

  /** Runs a claimed job to its end (or until this process lets go of it). */
  async function execute(job: JobRow, external?: AbortSignal): Promise<void> {
    const controller = new AbortController();
    const stop = (reason: StopReason) => controller.abort(reason);
    const onExternal = () => stop('cancelled');
    external?.addEventListener('abort', onExternal, { once: true });
    if (external?.aborted) stop('cancelled');
    let pending: Record<string, unknown> | null = null;
    let beating = false;
    const heartbeat = setInterval(() => {
      if (beating) return;
      beating = true;
      const progress = pending;
      pending = null;
      renewLease(db, job.id, owner, leaseMs, progress)
        .then((lease) => {
          if (!lease) stop('lease-lost');
          else if (lease.cancelRequested) stop('cancelled');
        })
        .catch(() => undefined)
        .finally(() => (beating = false));
    }, heartbeatMs);
    let settleDone: () => void = () => undefined;
    running.set(job.id, { controller, done: new Promise<void>((resolve) => (settleDone = resolve)) });
    try {
      const handler = handlers()[job.kind];
      if (!handler) throw new PermanentJobFailure(`No handler for jobs of kind ${job.kind}.`);
      if (job.attempts > job.maxAttempts) throw new PermanentJobFailure(`Stopped after ${job.maxAttempts} attempts.`);
      if (job.cancelRequested) stop('cancelled');
      // When this worker lets go (stopping, or its lease was taken over), it stops waiting: the
      // handler may still be unwinding, and whoever holds the job next runs it again.
      const letGo = new Promise<never>((_, reject) =>
        controller.signal.addEventListener('abort', () => controller.signal.reason !== 'cancelled' && reject(new Error(String(controller.signal.reason)))),
      );
      letGo.catch(() => undefined);
      const result = await Promise.race([handler({ job, attempt: job.attempts, signal: controller.signal, progress: (p) => (pending = p) }), letGo]);
      clearInterval(heartbeat);
      await settle(job, { state: 'succeeded', result: result ?? null });
    } catch (error) {
      clearInterval(heartbeat);
      const reason = controller.signal.aborted ? (controller.signal.reason as StopReason) : null;
      // A worker that stops or lost its lease leaves the job to whoever holds it next.
      if (reason === 'shutdown' || reason === 'lease-lost') return;
      if (reason === 'cancelled') await settle(job, { state: 'cancelled', error: errorText(error) });
      else if (error instanceof PermanentJobFailure || job.attempts >= job.maxAttempts) await settle(job, { state: 'failed', error: errorText(error) });
      else await settle(job, { state: 'queued', error: errorText(error), retryAfterSeconds: (options.retryDelaySeconds ?? ((n) => 2 ** n))(job.attempts) });
    } finally {
      clearInterval(heartbeat);
      external?.removeEventListener('abort', onExternal);
      running.delete(job.id);
      settleDone();
    }
  }

  const checked = new Map<string, number>();
  async function fireTriggers(): Promise<void> {
    for (const trigger of options.triggers ?? []) {
      if (Date.now() - (checked.get(trigger.kind) ?? 0) < trigger.everyMs) continue;
      checked.set(trigger.kind, Date.now());
      if (await trigger.due()) await enqueueUnlessOpen(db, trigger.kind);
    }
  }

  async function pollOnce(): Promise<boolean> {
    if (options.schedules) await enqueueDueSchedules(db).catch((error: unknown) => console.error('jobs: scheduling failed:', errorText(error)));
    await fireTriggers().catch((error: unknown) => console.error('jobs: a trigger failed:', errorText(error)));
    let started = false;
    while (!stopping && running.size < concurrency) {
      const job = await claim({});
      if (!job) break;
      started = true;
      void execute(job).catch((error: unknown) => console.error(`jobs: ${job.kind} ${job.id} could not be settled:`, errorText(error)));
    }
    return started;
  }

  return {
    async runNow(jobId, runOptions = {}) {
      const job = await claim({ id: jobId });
      if (job) await execute(job, runOptions.signal);
      else {
        // Someone else holds it (or it is not due yet): wait for it to end, passing a cancel on.
        let cancelled = false;
        for (;;) {
          const current = await readJob(db, jobId);
          if (!current) throw new Error(`job ${jobId} does not exist`);
          if (FINAL.has(current.state)) break;
          if (runOptions.signal?.aborted && !cancelled) {
            cancelled = true;
            await requestCancel(db, jobId);
          }
          if (current.state === 'queued' && current.runAfter.getTime() <= Date.now()) {
            const claimed = await claim({ id: jobId });
            if (claimed) {
              await execute(claimed, runOptions.signal);
              break;
            }
          }
          await new Promise((resolve) => setTimeout(resolve, 150));
        }
      }
      return (await readJob(db, jobId))!;
    },

    abortLocal(jobId) {
      const entry = running.get(jobId);
      if (!entry) return false;
      entry.controller.abort('cancelled' satisfies StopReason);
      return true;
    },

    start() {
      if (loop) return;
      stopping = false;
      unsubscribe = onWake(() => wake?.());
      loop = (async () => {
        while (!stopping) {
          const started = await pollOnce().catch((error: unknown) => {
            console.error('jobs: poll failed:', errorText(error));
            return false;
          });
          if (started || stopping) continue;
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, pollMs);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          wake = null;
        }
      })();
    },

    async stop() {
      stopping = true;
      for (const { controller } of running.values()) controller.abort('shutdown' satisfies StopReason);
      wake?.();
      unsubscribe?.();
      await loop;
      loop = null;
      await Promise.all([...running.values()].map((r) => r.done));
    },
  };
}
