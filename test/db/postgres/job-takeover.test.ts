import { spawn } from 'node:child_process';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCtx } from '@/lib/context';
import { journal } from '@/lib/db/schema';
import { withTransaction } from '@/lib/db/tx';
import { enqueueJob } from '@/lib/jobs/enqueue';
import { readJob } from '@/lib/jobs/lease';
import { createJobRunner } from '@/lib/jobs/worker';
import { testServices, type TestServices } from '../../support/services';
import { until } from '../../support/until';

// Only PostgreSQL lets two processes share the portal database; the embedded database's
// equivalent (a worker that stopped mid-job) is in test/db/jobs.test.ts.
describe('a worker process killed mid-job (postgres)', () => {
  let services: TestServices;
  const runner = createJobRunner;
  beforeAll(async () => {
    services = await testServices({ seed: false });
  });
  afterAll(async () => services?.dispose());
  const enqueue = (kind: string) => withTransaction(makeCtx(services, { type: 'cli', osUser: 'tester' }), (tx, c) => enqueueJob(tx, c, { kind }));

  it('takes over the job of a worker process killed mid-job', async () => {
    const id = await enqueue('test.block');
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=react-server', 'test/support/job-worker-process.ts'], {
      env: { ...process.env, TEST_DATABASE_URL: services.testDb.url, TEST_LEASE_MS: '800' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes(`holding ${id}`) && resolve());
        child.once('exit', (code) => reject(new Error(`worker exited early (${code})`)));
      });
      child.kill('SIGKILL');
      const survivor = runner({ db: services.database.db, handlers: { 'test.block': async () => ({ finishedBy: 'survivor' }) }, owner: 'survivor', pollMs: 25 });
      survivor.start();
      const job = await until(async () => {
        const j = await readJob(services.database.db, id);
        return j?.state === 'succeeded' ? j : null;
      });
      await survivor.stop();
      expect(job).toMatchObject({ attempts: 2, result: { finishedBy: 'survivor' } });
      const [takeover] = (await services.database.db.select().from(journal).where(eq(journal.subject, id))).filter((e) => e.action === 'job.taken_over');
      expect(String(takeover!.details.previousWorker)).toMatch(/^doomed-worker:/);
    } finally {
      child.kill('SIGKILL');
    }
  });

});
