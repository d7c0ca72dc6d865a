import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort, startPortal } from './support/portal-process';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    dataDir: string;
  }
}

/** Starts the portal exactly as `npm start` does (build if needed, demo lake, demo accounts) on a fresh data dir. */
export default async function setup(project: TestProject) {
  const root = path.resolve(__dirname, '../..');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-e2e-'));
  const port = await freePort();
  // saved queries are code: their folder must be the owner's alone, which a checkout does not guarantee
  const queries = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-e2e-queries-'));
  fs.cpSync(path.join(root, 'test', 'fixtures', 'queries'), queries, { recursive: true });
  const portal = await startPortal({
    dataDir,
    port,
    timeoutMs: 15 * 60_000,
    env: {
      // a site-specific saved query that runs long enough to be cancelled from the browser
      CUSTOS_EXTRA_QUERIES_DIR: queries,
      // its long-running query is for the privacy officer, so this site allows PHI roles in its own queries
      CUSTOS_EXTRA_QUERIES_PHI: '1',
      // short enough for a test to watch a session expire
      CUSTOS_SESSION_IDLE_MINUTES: '1',
    },
  });
  project.provide('baseUrl', portal.baseUrl);
  project.provide('dataDir', dataDir);
  return portal.stop;
}
