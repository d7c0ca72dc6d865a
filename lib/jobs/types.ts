// The job runner's contract with the domains that hand it work.
import type { JobRow } from '@/lib/db/schema';

export type JobRun = {
  job: JobRow;
  /** 1 for the first attempt; a job taken over from a stopped worker runs again with the next number. */
  attempt: number;
  /** Aborted when someone cancels the job, when this worker loses its lease, or when the process stops; `reason` says which. */
  signal: AbortSignal;
  /** Saves progress for readers in any process (written with the next heartbeat, not on every call). */
  progress(value: Record<string, unknown>): void;
};

/**
 * Does one job's work. Handlers are idempotent: a job may be started again after its worker died
 * mid-way, so each step checks what is already done before doing it.
 */
export type JobHandler = (run: JobRun) => Promise<Record<string, unknown> | void>;

export type JobHandlers = Record<string, JobHandler>;

/** Why a running job's signal was aborted. */
export type StopReason = 'cancelled' | 'lease-lost' | 'shutdown';

/** Thrown by a handler for a failure that another attempt would not fix. */
export class PermanentJobFailure extends Error {
  override name = 'PermanentJobFailure';
}

export type JobSpec = {
  kind: string;
  payload?: Record<string, unknown>;
  subject?: string | null;
  maxAttempts?: number;
  /** Seconds to wait before the job may start. */
  delaySeconds?: number;
};
