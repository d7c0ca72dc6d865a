import 'server-only';
import fs from 'node:fs';
import path from 'node:path';
import { env as readEnv, type Env } from '@/lib/config/env';
import type { Services } from '@/lib/context';
import { openDatabase } from '@/lib/db/client';
import type { QueryEngine } from '@/lib/engine/port';
import type { LakeLocation } from '@/lib/lake/tables';
import { LocalResultStore } from '@/lib/storage/result-store';
import { createJobRunner, type WorkerOptions } from '@/lib/jobs/worker';
import { CHECKPOINT_JOB, checkpointDue } from '@/lib/journal/checkpoints';
import { athenaConfigFromEnv, lakeLayout } from './adapter-config';
import { jobHandlers } from './job-handlers';
import { integritySources } from './integrity-sources';
import { controlPlane } from './control-plane';
import { withCachedWindow } from './cached-engine';
import { createKeys } from './keys';
import { createImageSetStore, createObjectStore } from './object-store';
import { createSigner } from './signer';

// The composition root: the one place that picks an adapter for each port from configuration.

/**
 * The data directory holds the database, results, keys and spill files: it and everything the
 * portal creates in it are readable by the portal's operating-system user only.
 */
export function ownerOnly(dataDir: string): void {
  try {
    process.umask(0o077);
  } catch {
    // worker threads may not change the umask; files there are created with explicit modes
  }
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dataDir, 0o700);
}

export async function createEngine(env: Env, lake: LakeLocation): Promise<QueryEngine> {
  if (env.CUSTOS_ENGINE === 'athena') {
    const { createAthenaEngine } = await import('@/lib/engine/athena/adapter');
    return createAthenaEngine(athenaConfigFromEnv(env));
  }
  const { createDuckDbEngine } = await import('@/lib/engine/duckdb/adapter');
  return createDuckDbEngine({
    lake,
    tempDir: path.join(env.dataDir, 'tmp'),
    threads: env.CUSTOS_DUCKDB_THREADS,
    memoryLimit: env.CUSTOS_DUCKDB_MEMORY_LIMIT,
  });
}

export type ServiceOverrides = { engine?: QueryEngine; lakeDir?: string; worker?: Partial<Omit<WorkerOptions, 'db' | 'handlers'>> };

export async function createServices(env: Env, overrides: ServiceOverrides = {}): Promise<Services> {
  const lake: LakeLocation = { dir: overrides.lakeDir ?? env.lakeDir, layout: lakeLayout(env) };
  ownerOnly(env.dataDir);
  const keys = await createKeys(env);
  const integrity = await integritySources(env, { lakeDir: overrides.lakeDir });
  const posturePlane = await controlPlane(env, { lakeDir: overrides.lakeDir });
  const objects = await createObjectStore(env, {
    buckets: { [env.CUSTOS_JOURNAL_CHECKPOINT_BUCKET]: { objectLock: true }, [env.CUSTOS_EVIDENCE_BUCKET]: { objectLock: true } },
    lakeDir: lake.dir,
  });
  const imageSets = await createImageSetStore(env, { lakeDir: lake.dir });
  const database = await openDatabase({ url: env.DATABASE_URL, migrationUrl: env.DATABASE_MIGRATION_URL, dataDir: env.dataDir });
  let engine: QueryEngine;
  try {
    engine = overrides.engine ?? withCachedWindow(await createEngine(env, lake));
  } catch (error) {
    await database.close();
    throw error;
  }
  const services: Services = {
    env,
    database,
    engine,
    objects,
    imageSets,
    signer: await createSigner(env),
    results: new LocalResultStore(path.join(env.dataDir, 'results'), keys.fileKey('results')),
    lake,
    integrity,
    controlPlane: posturePlane,
    keys,
    jobs: createJobRunner({
      db: database.db,
      handlers: () => jobHandlers(services),
      leaseMs: env.CUSTOS_JOB_LEASE_SECONDS * 1000,
      concurrency: env.CUSTOS_WORKER_CONCURRENCY,
      schedules: true,
      triggers: [
        {
          kind: CHECKPOINT_JOB,
          everyMs: 2_000,
          due: () => checkpointDue(database.db, { entries: env.CUSTOS_JOURNAL_CHECKPOINT_ENTRIES, minutes: env.CUSTOS_JOURNAL_CHECKPOINT_MINUTES }),
        },
      ],
      ...overrides.worker,
    }),
    close: async () => {
      await services.jobs.stop();
      integrity.close();
      posturePlane.close();
      await engine.close();
      await database.close();
    },
  };
  return services;
}

const KEY = Symbol.for('custos.services');
type Holder = { [KEY]?: Promise<Services> };

/**
 * One set of services per process (the embedded database allows a single opener), prepared once,
 * with a job worker unless CUSTOS_PORTAL_WORKER=off (workers then run as `custos worker`).
 * `npm start` prepares the database in the CLI process before Next starts; the Next process
 * prepares it again, which is idempotent.
 */
export function getServices(): Promise<Services> {
  const holder = globalThis as Holder;
  holder[KEY] ??= createServices(readEnv()).then(async (services) => {
    const { prepareDatabase } = await import('./prepare-database');
    await prepareDatabase(services);
    if (services.env.CUSTOS_PORTAL_WORKER === 'on') {
      services.jobs.start();
      // A stopping portal lets go of its jobs; whoever starts next takes them over.
      process.once('SIGTERM', () => void services.jobs.stop());
      process.once('SIGINT', () => void services.jobs.stop());
    }
    return services;
  });
  holder[KEY].catch(() => {
    delete holder[KEY];
  });
  return holder[KEY];
}
