import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRuns } from '@/lib/db/schema';
import { compactLake } from '@/lib/lake/compact';
import { generateLake } from '@/lib/lake/generate';
import { DEFAULT_LAYOUT } from '@/lib/lake/layout';
import { runSavedQuery } from '@/lib/queries/run-saved-query';
import { signedIn } from '../../support/actors';
import { testServices, type TestServices } from '../../support/services';

// `custos worker` runs the jobs a portal enqueues, from a process of its own (PostgreSQL only:
// the embedded database allows one process).
describe('custos worker (postgres)', () => {
  let lakeDir: string;
  let services: TestServices;
  beforeAll(async () => {
    lakeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-cli-worker-lake-'));
    await generateLake({ outDir: lakeDir, layout: DEFAULT_LAYOUT, days: 5, eventsPerDay: 400, seed: 3, end: '2026-10-31' });
    await compactLake({ dir: lakeDir, layout: DEFAULT_LAYOUT }, {});
    services = await testServices({ lakeDir, env: { CUSTOS_PORTAL_WORKER: 'off' } });
  });
  afterAll(async () => {
    await services?.dispose();
    fs.rmSync(lakeDir, { recursive: true, force: true });
  });

  it('runs a query the portal recorded, then stops cleanly on SIGTERM', async () => {
    const ctx = await signedIn(services, 'security_officer');
    const run = await runSavedQuery(ctx, { queryId: 'failed-access', params: { from: '2026-10-27', to: '2026-10-31' } }, { wait: false });
    const child = spawn('npm', ['run', '-s', 'custos', '--', 'worker', '--concurrency', '1'], {
      cwd: path.resolve(__dirname, '../../..'),
      env: { ...process.env, CUSTOS_DATA_DIR: services.testDb.dataDir, DATABASE_URL: services.testDb.url, NEXTAUTH_URL: 'https://custos.test', CUSTOS_DEMO: '1', CUSTOS_LAKE_DIR: lakeDir },
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true, // its own process group, signalled as a process manager would
    });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    let row;
    for (let i = 0; i < 600; i++) {
      [row] = await services.database.db.select().from(queryRuns).where(eq(queryRuns.id, run.id));
      if (row?.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    process.kill(-child.pid!, 'SIGTERM');
    await exited; // npm itself ends by the signal; the worker below it says it stopped
    expect(row).toMatchObject({ status: 'succeeded' });
    expect(stderr).toContain('custos worker: running jobs (1 at a time)');
    expect(stderr).toContain('custos worker: stopping');
  });
});
