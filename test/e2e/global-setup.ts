import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort, startPortal } from './support/portal-process';
import { fixtureQueriesEnv } from '../support/extra-queries';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    dataDir: string;
  }
}

/** Starts the portal exactly as `npm start` does (build if needed, demo lake, demo accounts) on a fresh data dir. */
export default async function setup(project: TestProject) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-e2e-'));
  const port = await freePort();
  const portal = await startPortal({
    dataDir,
    port,
    timeoutMs: 15 * 60_000,
    env: {
      // site-specific saved queries, one of which runs long enough to be cancelled from the browser
      ...fixtureQueriesEnv(),
      // short enough for a test to watch a session expire
      CUSTOS_SESSION_IDLE_MINUTES: '1',
    },
  });
  project.provide('baseUrl', portal.baseUrl);
  project.provide('dataDir', dataDir);
  return portal.stop;
}
