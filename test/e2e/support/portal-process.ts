// Starting and stopping the portal as `npm start` does, for the browser tests (no lib imports, so
// the global setup can use it too).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export type Portal = { baseUrl: string; dataDir: string; stop(): Promise<void> };

export function freePort(): Promise<number> {
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
      if ((await fetch(`${url}/api/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('the portal did not become healthy in time');
}

/** Starts the portal as `npm start` does, on the given data directory and port, with extra settings. */
export async function startPortal(options: { dataDir: string; port: number; env: Record<string, string>; timeoutMs?: number }): Promise<Portal> {
  const { dataDir, port } = options;
  const baseUrl = `http://127.0.0.1:${port}`;
  const logFile = path.join(dataDir, 'server.log');
  const log = fs.createWriteStream(logFile);
  const child = spawn('npm', ['start'], {
    cwd: path.resolve(__dirname, '../../..'),
    env: { ...process.env, CUSTOS_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', NEXTAUTH_URL: baseUrl, ...options.env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const stop = async () => {
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
  try {
    await waitForHealth(baseUrl, child, options.timeoutMs ?? 10 * 60_000);
  } catch (error) {
    process.stderr.write(fs.readFileSync(logFile, 'utf8').slice(-4000));
    await stop();
    throw error;
  }
  return { baseUrl, dataDir, stop };
}
