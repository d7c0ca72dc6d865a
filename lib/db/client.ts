import 'server-only';
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import * as schema from './schema';
import { acquireDirectoryLock, type DirectoryLock } from './lock';
import type { Database, Db } from './port';

export type DatabaseOptions = { url?: string; dataDir: string };

const MIGRATIONS = path.join(process.cwd(), 'lib', 'db', 'migrations');

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.url) {
    const pool = new pg.Pool({ connectionString: options.url, max: 10 });
    // An idle connection the server ends (restart, failover, pg_terminate_backend) is dropped by
    // the pool and replaced on next use; without a listener its error would end the process.
    pool.on('error', (error: Error & { code?: string }) => {
      console.error(`database: an idle connection was closed (${error.code ?? error.name}); the pool will reconnect`);
    });
    const db = drizzlePg({ client: pool, schema }) as unknown as Db;
    await migratePg(drizzlePg({ client: pool, schema }), { migrationsFolder: MIGRATIONS });
    return { db, kind: 'postgres', description: 'PostgreSQL (DATABASE_URL)', close: () => pool.end() };
  }
  const dir = path.join(options.dataDir, 'db');
  fs.mkdirSync(dir, { recursive: true });
  const lock: DirectoryLock = acquireDirectoryLock(options.dataDir, 'db');
  try {
    const client = await PGlite.create(dir);
    const db = drizzlePglite({ client, schema });
    await migratePglite(db, { migrationsFolder: MIGRATIONS });
    return {
      db: db as unknown as Db,
      kind: 'pglite',
      description: 'embedded PGlite in the data directory',
      close: async () => {
        await client.close();
        lock.release();
      },
    };
  } catch (error) {
    lock.release();
    throw error;
  }
}
