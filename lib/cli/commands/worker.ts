import 'server-only';
import { env, resetEnvCache } from '@/lib/config/env';
import { prepareDatabase } from '@/lib/boot/prepare-database';
import { createServices } from '@/lib/boot/services';
import type { Parsed } from '../args';
import { err } from '../io';
import type { WORKER } from '../specs';

/** `custos worker`: runs background jobs (query runs, compaction, scheduled jobs) until stopped, for deployments that keep workers apart from the portal. */
export async function worker({ values }: Parsed<typeof WORKER>): Promise<number> {
  resetEnvCache();
  const config = env();
  const concurrency = values.concurrency === undefined ? config.CUSTOS_WORKER_CONCURRENCY : Number(values.concurrency);
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
