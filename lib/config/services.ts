import 'server-only';
import fs from 'node:fs';
import path from 'node:path';
import { DEMO_CATALOG_KEY } from '@/lib/audit/phi';
import { openDatabase, type Database } from '@/lib/db/client';
import type { QueryEngine } from '@/lib/engine/port';
import type { LakeLocation } from '@/lib/lake/scan';
import { ResultStore } from '@/lib/queries/result-store';
import type { ParamDefaults } from '@/lib/queries/params';
import { ConfigError, env as readEnv, type Env } from './env';
import { DEFAULT_LAYOUT, type LakeLayout } from '@/lib/lake/layout';

/** The composition root: the adapters chosen once from configuration. */
export type Services = {
  env: Env;
  database: Database;
  engine: QueryEngine;
  results: ResultStore;
  lake: LakeLocation;
  catalogKey: string;
  paramDefaults(): Promise<ParamDefaults>;
  close(): Promise<void>;
};

export function lakeLayout(env: Env): LakeLayout {
  return {
    ...DEFAULT_LAYOUT,
    cloudtrailPrefix: env.CUSTOS_CLOUDTRAIL_PREFIX,
    accessLogPrefix: env.CUSTOS_ACCESS_LOG_PREFIX,
    inventoryPrefix: env.CUSTOS_INVENTORY_PREFIX,
    catalogPrefix: env.CUSTOS_CATALOG_PREFIX,
  };
}

export function catalogKey(env: Env): string {
  if (env.CUSTOS_CATALOG_HMAC_KEY) return env.CUSTOS_CATALOG_HMAC_KEY;
  if (env.CUSTOS_ENGINE === 'duckdb') return DEMO_CATALOG_KEY;
  throw new ConfigError('CUSTOS_CATALOG_HMAC_KEY is required with the Athena engine (the key the ingest pipeline hashes MRNs with).');
}

export async function createEngine(env: Env, lake: LakeLocation): Promise<QueryEngine> {
  if (env.CUSTOS_ENGINE === 'athena') {
    const { createAthenaEngine, athenaConfigFromEnv } = await import('@/lib/engine/athena/adapter');
    return createAthenaEngine(athenaConfigFromEnv(env));
  }
  const { createDuckDbEngine } = await import('@/lib/engine/duckdb/adapter');
  return createDuckDbEngine({ lake, tempDir: path.join(env.dataDir, 'tmp') });
}

export type ServiceOverrides = { engine?: QueryEngine; lakeDir?: string };

export async function createServices(env: Env, overrides: ServiceOverrides = {}): Promise<Services> {
  const key = catalogKey(env);
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
  const [startHour, endHour] = env.CUSTOS_BUSINESS_HOURS.split('-').map(Number) as [number, number];
  return {
    env,
    database,
    engine,
    results: new ResultStore(path.join(env.dataDir, 'results')),
    lake,
    catalogKey: key,
    paramDefaults: async () => {
      const window = await engine.dataWindow();
      const today = new Date().toISOString().slice(0, 10);
      const monthAgo = new Date(Date.now() - 29 * 86_400_000).toISOString().slice(0, 10);
      return {
        rangeStart: window?.from ?? monthAgo,
        rangeEnd: window?.to ?? today,
        timeZone: env.CUSTOS_TIME_ZONE,
        businessStart: startHour,
        businessEnd: endHour,
      };
    },
    close: async () => {
      await engine.close();
      await database.close();
    },
  };
}

const KEY = Symbol.for('custos.services');
type Holder = { [KEY]?: Promise<Services> };

/** One set of services per process (the embedded database allows a single opener). */
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
