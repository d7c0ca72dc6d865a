import 'server-only';
import fs from 'node:fs';
import path from 'node:path';
import { env as readEnv, type Env } from '@/lib/config/env';
import type { Services } from '@/lib/context';
import { openDatabase } from '@/lib/db/client';
import type { QueryEngine } from '@/lib/engine/port';
import type { LakeLocation } from '@/lib/lake/tables';
import { catalogKey } from '@/lib/phi';
import { LocalResultStore } from '@/lib/storage/result-store';
import { athenaConfigFromEnv, lakeLayout } from './adapter-config';

// The composition root: the one place that picks an adapter for each port from configuration.

export async function createEngine(env: Env, lake: LakeLocation): Promise<QueryEngine> {
  if (env.CUSTOS_ENGINE === 'athena') {
    const { createAthenaEngine } = await import('@/lib/engine/athena/adapter');
    return createAthenaEngine(athenaConfigFromEnv(env));
  }
  const { createDuckDbEngine } = await import('@/lib/engine/duckdb/adapter');
  return createDuckDbEngine({ lake, tempDir: path.join(env.dataDir, 'tmp') });
}

export type ServiceOverrides = { engine?: QueryEngine; lakeDir?: string };

export async function createServices(env: Env, overrides: ServiceOverrides = {}): Promise<Services> {
  catalogKey(env); // a missing key stops the start, not the first patient query
  const lake: LakeLocation = { dir: overrides.lakeDir ?? env.lakeDir, layout: lakeLayout(env) };
  fs.mkdirSync(env.dataDir, { recursive: true });
  const database = await openDatabase({ url: env.DATABASE_URL, dataDir: env.dataDir });
  let engine: QueryEngine;
  try {
    engine = overrides.engine ?? (await createEngine(env, lake));
  } catch (error) {
    await database.close();
    throw error;
  }
  return {
    env,
    database,
    engine,
    results: new LocalResultStore(path.join(env.dataDir, 'results')),
    lake,
    close: async () => {
      await engine.close();
      await database.close();
    },
  };
}

const KEY = Symbol.for('custos.services');
type Holder = { [KEY]?: Promise<Services> };

/**
 * One set of services per process (the embedded database allows a single opener), prepared once.
 * `npm start` prepares the database in the CLI process before Next starts; the Next process
 * prepares it again, which is idempotent.
 */
export function getServices(): Promise<Services> {
  const holder = globalThis as Holder;
  holder[KEY] ??= createServices(readEnv()).then(async (services) => {
    const { prepareDatabase } = await import('./prepare-database');
    await prepareDatabase(services);
    return services;
  });
  holder[KEY].catch(() => {
    delete holder[KEY];
  });
  return holder[KEY];
}
