// Runs day writers in worker threads (or in this thread when asked for none). The TypeScript worker
// module is loaded through tsx's loader, registered inside the worker before the import.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Activity } from './activity';
import { DayWriter, type DayResult } from './day-files';
import type { DayWorkerData } from './day-worker';
import type { Plan } from './plan';
import type { World } from './world';

type Reply = { ready: true } | { ok: true; result: DayResult } | { ok: false; error: string };

export type DayRunner = {
  run(day: number): Promise<DayResult>;
  close(): Promise<void>;
};

/** One day at a time in this thread: a day's records are held in memory until its files are written. */
class InProcess implements DayRunner {
  private readonly writer: DayWriter;
  private queue: Promise<unknown> = Promise.resolve();
  constructor(world: World, plan: Plan, outDir: string) {
    this.writer = new DayWriter(world, plan, new Activity(world, plan), outDir);
  }
  run(day: number): Promise<DayResult> {
    const next = this.queue.then(() => this.writer.write(day));
    this.queue = next.catch(() => undefined);
    return next;
  }
  async close() {}
}

function bootstrapUrl(): URL {
  const req = createRequire(import.meta.url);
  const tsxDir = path.dirname(req.resolve('tsx/package.json'));
  const esm = pathToFileURL(path.join(tsxDir, 'dist/esm/api/index.mjs')).href;
  const cjs = pathToFileURL(path.join(tsxDir, 'dist/cjs/api/index.mjs')).href;
  const entry = new URL('./day-worker.ts', import.meta.url).href;
  const code = [
    `import { register } from ${JSON.stringify(esm)};`,
    `import { register as registerCjs } from ${JSON.stringify(cjs)};`,
    'registerCjs();',
    'register();',
    `await import(${JSON.stringify(entry)});`,
  ].join('\n');
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}

/**
 * A worker's live heap is its copy of the world plus one day of serialized records; capping the
 * old generation at about twice that makes V8 collect before garbage inflates the process.
 */
export function oldGenerationMb(world: World): number {
  return Math.round(192 + world.studies.length * 0.004 + world.eventsPerDay * 0.004);
}

class Threads implements DayRunner {
  private readonly idle: Worker[] = [];
  private readonly waiting: ((w: Worker) => void)[] = [];
  private constructor(private readonly workers: Worker[]) {
    this.idle.push(...workers);
  }

  static async start(count: number, data: DayWorkerData): Promise<Threads> {
    const url = bootstrapUrl();
    const tsconfig = fileURLToPath(new URL('../../../tsconfig.json', import.meta.url));
    const workers = await Promise.all(
      Array.from({ length: count }, async () => {
        const worker = new Worker(url, {
          workerData: data,
          env: { ...process.env, TSX_TSCONFIG_PATH: tsconfig },
          resourceLimits: { maxOldGenerationSizeMb: oldGenerationMb(data.world) },
        });
        await new Promise<void>((resolve, reject) => {
          const onMessage = (m: Reply) => {
            if ('ready' in m) {
              worker.off('error', reject);
              resolve();
            }
          };
          worker.once('message', onMessage);
          worker.once('error', reject);
          worker.once('exit', (code) => reject(new Error(`lake worker exited during start (code ${code})`)));
        });
        return worker;
      }),
    );
    return new Threads(workers);
  }

  private acquire(): Promise<Worker> {
    const w = this.idle.pop();
    if (w) return Promise.resolve(w);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(w: Worker) {
    const next = this.waiting.shift();
    if (next) next(w);
    else this.idle.push(w);
  }

  async run(day: number): Promise<DayResult> {
    const worker = await this.acquire();
    try {
      return await new Promise<DayResult>((resolve, reject) => {
        const onError = (e: Error) => reject(e);
        worker.once('error', onError);
        worker.once('message', (m: Reply) => {
          worker.off('error', onError);
          if ('ready' in m) reject(new Error('unexpected worker message'));
          else if (m.ok) resolve(m.result);
          else reject(new Error(`lake worker failed on day ${day}: ${m.error}`));
        });
        worker.postMessage({ day });
      });
    } finally {
      this.release(worker);
    }
  }

  async close() {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

export async function startDayRunner(count: number, world: World, plan: Plan, outDir: string): Promise<DayRunner> {
  if (count <= 0) return new InProcess(world, plan, outDir);
  return Threads.start(count, { kind: 'custos-lake-day', world, plan, outDir });
}
