import 'server-only';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { env, resetEnvCache, type Env } from '@/lib/config/env';
import { lakeLayout } from '@/lib/boot/adapter-config';
import { createServices, ownerOnly } from '@/lib/boot/services';
import { prepareDatabase } from '@/lib/boot/prepare-database';
import { refreshAccessIndex } from '@/lib/admin/refresh-access-index';
import { authSecret } from '@/lib/auth/secret';
import { latestLogDay } from '@/lib/lake/latest-day';
import { compactLake } from '@/lib/lake/compact';
import { generateLake } from '@/lib/lake/generate';
import { resolveOptions } from '@/lib/lake/generate/options';
import { checkCatalogCanary } from '@/lib/lake/catalog-canary';
import { catalogKey } from '@/lib/phi';
import type { Parsed } from '../args';
import { duration, err, step } from '../io';
import type { SERVE } from '../specs';

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

// Measured on a two-core machine (README, "Start it"): what a first start tells the person waiting.
const TWO_CORE_SECONDS = { generate: 10, compact: 10, database: 10, build: 60 };

function about(seconds: number): string {
  if (seconds < 50) return `about ${Math.round(seconds / 5) * 5 || 5} s on two cores`;
  if (seconds < 80) return 'about a minute on two cores';
  if (seconds < 105) return 'about a minute and a half on two cores';
  return `about ${Math.round(seconds / 60)} minutes on two cores`;
}

const count = (n: number) => n.toLocaleString('en-US');

/** `npm start`: prepares the embedded default (data dir, demo lake, database, build) and serves the portal. */
export async function serve(_: Parsed<typeof SERVE>): Promise<number> {
  const started = performance.now();
  resetEnvCache();
  let config = env();
  const root = process.cwd();
  ownerOnly(config.dataDir);
  const lake = { dir: config.lakeDir, layout: lakeLayout(config) };
  const generate = config.CUSTOS_ENGINE === 'duckdb' && config.embedded && !latestLogDay(lake);
  const build = !buildIsCurrent(root);
  if (generate || build) {
    const t = TWO_CORE_SECONDS;
    const total = t.database + (generate ? t.generate + t.compact : 0) + (build ? t.build : 0);
    const what = [generate ? 'generates the demo lake' : null, build ? 'builds the portal' : null].filter((w) => w).join(' and ');
    err(`This start ${what}: ${about(total)}; later starts take seconds.`);
  }

  if (config.CUSTOS_ENGINE === 'duckdb') {
    if (generate) {
      const window = resolveOptions({ outDir: lake.dir, layout: lake.layout });
      const s = step(`Generating the demo lake, ${window.days} days of logs, in ${lake.dir}`, about(TWO_CORE_SECONDS.generate));
      const summary = await generateLake({
        outDir: lake.dir,
        layout: lake.layout,
        onProgress: (p) => s.progress(`day ${(Date.parse(p.day) - window.startMs) / 86_400_000 + 1} of ${window.days}, ${count(p.eventsWritten)} events`),
      });
      s.done(`${count(summary.events)} CloudTrail events, ${summary.window.from} to ${summary.window.to}`);
    }
    const s = step('Compacting new log files into Parquet', generate ? about(TWO_CORE_SECONDS.compact) : undefined);
    const compacted = await compactLake(lake, { onProgress: (p) => s.progress(`${p.partitionsDone} of ${p.partitionsTotal} partitions`) });
    s.done(compacted.rawFiles ? `${count(compacted.rawFiles)} files, ${count(compacted.records)} records` : 'nothing new');
    // the settings that depend on the lake (demo accounts) are read again now that it exists
    resetEnvCache();
    config = env();
  }

  const db = step('Preparing the database and checking the catalog key');
  const services = await createServices(config);
  try {
    await prepareDatabase(services);
    const canary = await checkCatalogCanary(services.engine, catalogKey(config));
    if (!canary.ok) {
      err(`Not starting: ${canary.message}.`);
      return 1;
    }
    db.done();
    if (services.engine.capabilities.localLake) {
      const s = step('Indexing accesses of the days not indexed yet');
      const index = await refreshAccessIndex(services, { type: 'system', job: 'start-up' }, null);
      s.done(index.daysBuilt ? `${count(index.daysBuilt)} days, ${count(index.rows)} accesses, through ${index.through}` : `up to date through ${index.through ?? '(no complete day yet)'}`);
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
  if (build) {
    const s = step('Building the portal with next build, as on every first start and after an update', about(TWO_CORE_SECONDS.build));
    const code = await run(process.execPath, [next, 'build'], runtimeEnv);
    if (code !== 0) return code;
    s.done();
  }
  err(`Custos on http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.PORT} (data in ${config.dataDir}; prepared in ${duration(performance.now() - started)})`);
  return run(process.execPath, [next, ...nextStartArgs(config)], runtimeEnv);
}
