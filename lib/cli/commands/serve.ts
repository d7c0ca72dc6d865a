import 'server-only';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { env, resetEnvCache, type Env } from '@/lib/config/env';
import { lakeLayout } from '@/lib/boot/adapter-config';
import { createServices, ownerOnly } from '@/lib/boot/services';
import { prepareDatabase } from '@/lib/boot/prepare-database';
import { authSecret } from '@/lib/auth/secret';
import { latestLogDay } from '@/lib/lake/latest-day';
import { compactLake } from '@/lib/lake/compact';
import { generateLake } from '@/lib/lake/generate';
import { checkCatalogCanary } from '@/lib/lake/catalog-canary';
import { catalogKey } from '@/lib/phi';
import { err } from '../io';

const SOURCES = ['app', 'components', 'lib', 'queries', 'next.config.js', 'package-lock.json', 'postcss.config.mjs', 'tsconfig.json'];

function newestMtime(target: string): number {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(target);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of fs.readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, entry)));
  return newest;
}

/** A production build newer than every source file, or null when one must be made. */
function buildIsCurrent(root: string): boolean {
  const id = path.join(root, '.next', 'BUILD_ID');
  if (!fs.existsSync(id)) return false;
  const built = fs.statSync(id).mtimeMs;
  return SOURCES.every((s) => newestMtime(path.join(root, s)) <= built);
}

function run(command: string, args: string[], extraEnv: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'inherit', env: { ...process.env, ...extraEnv } });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal ? 0 : 1));
    });
  });
}

/** `next start` on the configured interface: loopback unless HOST says otherwise (or the portal is not the embedded default). */
export function nextStartArgs(config: Pick<Env, 'PORT' | 'host'>): string[] {
  return ['start', '-p', String(config.PORT), '-H', config.host];
}

/** `npm start`: prepares the embedded default (data dir, demo lake, database, build) and serves the portal. */
export async function serve(): Promise<number> {
  resetEnvCache();
  let config = env();
  const root = process.cwd();
  ownerOnly(config.dataDir);
  const lake = { dir: config.lakeDir, layout: lakeLayout(config) };

  if (config.CUSTOS_ENGINE === 'duckdb') {
    if (!latestLogDay(lake) && config.embedded) {
      err(`No log lake in ${lake.dir}: generating the demo lake…`);
      const summary = await generateLake({ outDir: lake.dir, layout: lake.layout });
      err(`Demo lake: ${summary.events.toLocaleString('en-US')} CloudTrail events, ${summary.window.from} to ${summary.window.to}.`);
    }
    const compacted = await compactLake(lake, {});
    err(`Lake compacted: ${JSON.stringify(compacted)}`);
    // the settings that depend on the lake (demo accounts) are read again now that it exists
    resetEnvCache();
    config = env();
  }

  const services = await createServices(config);
  try {
    await prepareDatabase(services);
    const canary = await checkCatalogCanary(services.engine, catalogKey(config));
    if (!canary.ok) {
      err(`Not starting: ${canary.message}.`);
      return 1;
    }
  } finally {
    await services.close();
  }

  const runtimeEnv: Record<string, string> = {
    NEXTAUTH_SECRET: authSecret(config),
    NEXTAUTH_URL: config.NEXTAUTH_URL ?? `http://localhost:${config.PORT}`,
    NEXT_TELEMETRY_DISABLED: '1',
  };
  const next = path.join(root, 'node_modules', 'next', 'dist', 'bin', 'next');
  if (!buildIsCurrent(root)) {
    err('Building the portal (next build)…');
    const code = await run(process.execPath, [next, 'build'], runtimeEnv);
    if (code !== 0) return code;
  }
  err(`Custos on http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.PORT} (data in ${config.dataDir})`);
  return run(process.execPath, [next, ...nextStartArgs(config)], runtimeEnv);
}
