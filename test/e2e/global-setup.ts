import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    dataDir: string;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function waitForHealth(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the portal exited with code ${child.exitCode} before it was healthy`);
    try {
      const response = await fetch(`${url}/api/health`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error('the portal did not become healthy in time');
}

/** Starts the portal exactly as `npm start` does (build if needed, demo lake, demo accounts) on a fresh data dir. */
export default async function setup(project: TestProject) {
  const root = path.resolve(__dirname, '../..');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-e2e-'));
  const port = await freePort();
  const log = fs.createWriteStream(path.join(dataDir, 'server.log'));
  const child = spawn('npm', ['start'], {
    cwd: root,
    env: {
      ...process.env,
      CUSTOS_DATA_DIR: dataDir,
      PORT: String(port),
      NEXTAUTH_URL: `http://127.0.0.1:${port}`,
      // a site-specific saved query that runs long enough to be cancelled from the browser
      CUSTOS_EXTRA_QUERIES_DIR: path.join(root, 'test', 'fixtures', 'queries'),
      // short enough for a test to watch a session expire
      CUSTOS_SESSION_IDLE_MINUTES: '1',
    },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(baseUrl, child, 15 * 60_000);
  } catch (error) {
    process.stderr.write(fs.readFileSync(path.join(dataDir, 'server.log'), 'utf8').slice(-4000));
    throw error;
  }
  project.provide('baseUrl', baseUrl);
  project.provide('dataDir', dataDir);
  return async () => {
    const signal = (name: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, name);
      } catch {
        // already gone
      }
    };
    signal('SIGTERM');
    await new Promise((r) => setTimeout(r, 3000));
    signal('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
}
