// The job-runner port: durable background work in the portal database, run by workers in any process.
import type { JobRow } from '@/lib/db/schema/jobs';

export type JobRunner = {
  /**
   * Runs one job in this process now and resolves with the job as it ended; when another worker
   * holds it, waits for that worker instead. An aborted `signal` cancels the job.
   */
  runNow(jobId: string, options?: { signal?: AbortSignal }): Promise<JobRow>;
  /** Aborts a job running in this process at once; false when it runs elsewhere (its worker sees the cancel flag at its next heartbeat). */
  abortLocal(jobId: string): boolean;
  /** Starts claiming due jobs and enqueuing scheduled ones until stop(). */
  start(): void;
  stop(): Promise<void>;
};
