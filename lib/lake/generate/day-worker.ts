// Worker-thread entry: builds the day files it is asked for. Every worker holds the same world and
// plan, and a day's output depends only on them, so days can be written in any order.
import { parentPort, workerData } from 'node:worker_threads';
import { Activity } from './activity';
import { DayWriter } from './day-files';
import type { Plan } from './plan';
import type { World } from './world';

export type DayWorkerData = { kind: 'custos-lake-day'; world: World; plan: Plan; outDir: string };
export type DayRequest = { day: number };

const data = workerData as DayWorkerData | undefined;
if (parentPort && data?.kind === 'custos-lake-day') {
  const port = parentPort;
  const writer = new DayWriter(data.world, data.plan, new Activity(data.world, data.plan), data.outDir);
  port.on('message', (req: DayRequest) => {
    writer.write(req.day).then(
      (result) => port.postMessage({ ok: true, result }),
      (e: unknown) => port.postMessage({ ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
    );
  });
  port.postMessage({ ready: true });
}
