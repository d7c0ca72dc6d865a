import 'server-only';
import { parseArgs } from 'node:util';
import { env, resetEnvCache } from '@/lib/config/env';
import { prepareDatabase } from '@/lib/boot/prepare-database';
import { createServices } from '@/lib/boot/services';
import { UsageError, err } from '../io';

/** `custos worker`: runs background jobs (query runs, compaction, scheduled jobs) until stopped, for deployments that keep workers apart from the portal. */
export async function worker(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { concurrency: { type: 'string' } }, strict: true });
  resetEnvCache();
  const config = env();
  const concurrency = values.concurrency === undefined ? config.CUSTOS_WORKER_CONCURRENCY : Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new UsageError('--concurrency must be a whole number from 1 to 64');
  const services = await createServices(config, { worker: { concurrency } });
  try {
    await prepareDatabase(services);
    services.jobs.start();
    err(`custos worker: running jobs (${concurrency} at a time) until stopped`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    err('custos worker: stopping; jobs in hand are left to the next worker');
  } finally {
    await services.close();
  }
  return 0;
}
