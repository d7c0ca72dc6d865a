// A job worker in its own process, for tests that kill a worker mid-job: it claims jobs of kind
// `test.block`, says which job it holds on stdout, and never finishes them.
import { openDatabase } from '@/lib/db/client';
import { createJobRunner } from '@/lib/jobs/worker';

async function main() {
  const database = await openDatabase({ url: process.env.TEST_DATABASE_URL, dataDir: process.env.TEST_DATA_DIR ?? '/tmp' });
  const runner = createJobRunner({
    db: database.db,
    owner: `doomed-worker:${process.pid}`,
    leaseMs: Number(process.env.TEST_LEASE_MS ?? 1000),
    pollMs: 50,
    handlers: {
      'test.block': async ({ job }) => {
        process.stdout.write(`holding ${job.id}\n`);
        await new Promise(() => undefined);
      },
    },
  });
  runner.start();
}

void main();
