import fs from 'node:fs';
import path from 'node:path';
import { parseEnv } from '@/lib/config/env';
import { createServices } from '@/lib/boot/services';
import { prepareDatabase } from '@/lib/boot/prepare-database';
import type { QueryEngine } from '@/lib/engine/port';
import { freshDatabase, type TestDatabase } from './database';
import type { Services } from '@/lib/context';

export type TestServices = Services & { testDb: TestDatabase; dispose(): Promise<void> };

/** Real services (real database, real engine) over a fresh database; `env` overrides settings. */
export async function testServices(options: { lakeDir?: string; engine?: QueryEngine; env?: Record<string, string>; seed?: boolean } = {}): Promise<TestServices> {
  const testDb = await freshDatabase();
  // Without a lake of its own, a suite runs over an empty demo lake: the embedded default, with
  // demo accounts (they exist only over a lake carrying the generator's marker).
  if (!options.lakeDir) {
    fs.mkdirSync(path.join(testDb.dataDir, 'lake', '_custos'), { recursive: true });
    fs.writeFileSync(path.join(testDb.dataDir, 'lake', '_custos', 'generation.json'), '{"purpose":"an empty lake for a test suite"}\n');
  }
  const config = parseEnv({
    CUSTOS_DATA_DIR: testDb.dataDir,
    // the public URL a deployment with a database or identity provider of its own must give
    NEXTAUTH_URL: 'https://custos.test',
    ...(testDb.url ? { DATABASE_URL: testDb.url, CUSTOS_DEMO: '1' } : {}),
    ...(options.lakeDir ? { CUSTOS_LAKE_DIR: options.lakeDir } : {}),
    ...options.env,
  });
  const services = await createServices(config, { engine: options.engine, lakeDir: options.lakeDir });
  if (options.seed !== false) await prepareDatabase(services);
  return Object.assign(services, {
    testDb,
    dispose: async () => {
      await services.close();
      await testDb.drop();
    },
  });
}
