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
  const config = parseEnv({
    CUSTOS_DATA_DIR: testDb.dataDir,
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
