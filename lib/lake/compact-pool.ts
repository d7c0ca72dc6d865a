// Runs compaction's partition parsing in worker threads (or in this thread when asked for none).
// A worker that fails or stops fails the job it held and every later one: nothing waits forever.
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { parsePartition, type ParsedPartition, type PartitionJob } from './compact-parse';
import type { CompactReply, CompactRequest, CompactWorkerData } from './compact-worker';
import type { RawFile } from './scan';
import type { LakeLocation } from './tables';

export type PartitionParser = {
  /** Worker threads; 0 when partitions are parsed in this thread. */
  readonly threads: number;
  parse(job: PartitionJob): Promise<ParsedPartition>;
  close(): Promise<void>;
};

export type ParserOptions = {
  /** Old-generation heap limit of each worker, in MB (V8's default when absent). */
  heapMb?: number;
};

/** One partition at a time in this thread; still overlaps DuckDB, whose work runs off the event loop. */
class InThread implements PartitionParser {
  readonly threads = 0;
  private queue: Promise<unknown> = Promise.resolve();
  constructor(private readonly lake: LakeLocation) {}
  parse(job: PartitionJob): Promise<ParsedPartition> {
    const next = this.queue.then(() => parsePartition(this.lake, job));
    this.queue = next.catch(() => undefined);
    return next;
  }
  async close() {}
}

// Located from the project root rather than import.meta.url, which bundled server code does not keep.
// tsx's require hook alone compiles the worker's modules: no module-loader thread per worker.
function bootstrapCode(): string {
  const root = process.cwd();
  const tsx = path.join(root, 'node_modules', 'tsx', 'dist', 'cjs', 'api', 'index.cjs');
  const entry = path.join(root, 'lib', 'lake', 'compact-worker.ts');
  return `require(${JSON.stringify(tsx)}).register();\nrequire(${JSON.stringify(entry)});`;
}

type Task = { id: number; job: PartitionJob; resolve(result: ParsedPartition): void; reject(error: Error): void };

class Threads implements PartitionParser {
  private readonly idle: Worker[];
  private readonly busy = new Map<Worker, Task>();
  private readonly queue: Task[] = [];
  private failure: Error | null = null;
  private closing = false;
  private nextId = 0;

  private constructor(private readonly workers: Worker[]) {
    this.idle = [...workers];
    for (const worker of workers) {
      worker.on('message', (reply: CompactReply) => this.settle(worker, reply));
      worker.on('error', (error) => this.fail(worker, error.message));
      worker.on('exit', (code) => this.fail(worker, `it exited with code ${code}`));
    }
  }

  get threads() {
    return this.workers.length;
  }

  static async start(count: number, lake: LakeLocation, options: ParserOptions): Promise<Threads> {
    const code = bootstrapCode();
    const data: CompactWorkerData = { kind: 'custos-compact-parse', lake: { dir: lake.dir, layout: lake.layout } };
    const started = await Promise.allSettled(
      Array.from({ length: count }, async () => {
        const worker = new Worker(code, {
          eval: true,
          workerData: data,
          env: { ...process.env, TSX_TSCONFIG_PATH: path.join(process.cwd(), 'tsconfig.json') },
          ...(options.heapMb ? { resourceLimits: { maxOldGenerationSizeMb: options.heapMb } } : {}),
        });
        await new Promise<void>((resolve, reject) => {
          const onExit = (code: number) => reject(new Error(`a compaction worker exited during start (code ${code})`));
          worker.once('error', reject);
          worker.once('exit', onExit);
          worker.once('message', () => {
            worker.off('error', reject);
            worker.off('exit', onExit);
            resolve();
          });
        });
        return worker;
      }),
    );
    const workers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
    }
    return new Threads(workers);
  }

  parse(job: PartitionJob): Promise<ParsedPartition> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, job, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch() {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.pop()!;
      const task = this.queue.shift()!;
      this.busy.set(worker, task);
      worker.postMessage({ id: task.id, job: task.job } satisfies CompactRequest);
    }
  }

  private settle(worker: Worker, reply: CompactReply) {
    const task = this.busy.get(worker);
    if ('ready' in reply || !task || task.id !== reply.id) return;
    this.busy.delete(worker);
    this.idle.push(worker);
    if (reply.ok) task.resolve(reply.result);
    else task.reject(new Error(`parsing ${task.job.partition} failed: ${reply.error}`));
    this.dispatch();
  }

  private fail(worker: Worker, reason: string) {
    if (this.closing) return;
    const task = this.busy.get(worker);
    this.busy.delete(worker);
    const index = this.idle.indexOf(worker);
    if (index >= 0) this.idle.splice(index, 1);
    this.failure ??= new Error(`a compaction worker stopped${task ? ` while parsing ${task.job.partition}` : ''}: ${reason}`);
    task?.reject(this.failure);
    for (const queued of this.queue.splice(0)) queued.reject(this.failure);
  }

  async close() {
    this.closing = true;
    const orphans = [...this.busy.values(), ...this.queue.splice(0)];
    this.busy.clear();
    await Promise.all(this.workers.map((w) => w.terminate()));
    for (const task of orphans) task.reject(new Error('compaction stopped'));
  }
}

/** Below this many bytes of raw objects, starting workers costs more than it saves. */
const PARALLEL_MIN_BYTES = 16 << 20;
const MAX_THREADS = 4;

/**
 * Worker threads for a run (one per core, none for a small job) and their heap limit: a cap keeps
 * V8 from growing the heap with garbage, yet the largest CloudTrail object, parsed whole, must fit
 * (its text can be 60× its gzip size, its objects ~3× the text).
 */
export function parserSizing(files: RawFile[], requested: { workers?: number; workerHeapMb?: number }): { threads: number; heapMb: number } {
  const bytes = files.reduce((sum, f) => sum + f.size, 0);
  const threads =
    requested.workers !== undefined
      ? Math.max(0, Math.floor(requested.workers))
      : bytes < PARALLEL_MIN_BYTES
        ? 0
        : Math.min(os.availableParallelism(), MAX_THREADS);
  const largest = files.reduce((max, f) => (f.kind === 'cloudtrail' ? Math.max(max, f.size) : max), 0);
  const heapMb = requested.workerHeapMb ?? Math.min(Math.max(1024, 256 + Math.ceil((largest * 180) / 2 ** 20)), 16_384);
  return { threads, heapMb };
}

export async function startPartitionParser(threads: number, lake: LakeLocation, options: ParserOptions = {}): Promise<PartitionParser> {
  if (threads <= 0) return new InThread(lake);
  return Threads.start(threads, lake, options);
}
