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

export type DatabaseOptions = {
  url?: string;
  /** PostgreSQL: the role that owns the schema and runs migrations; the portal's own role (url) then only gets the rights it needs. */
  migrationUrl?: string;
  dataDir: string;
};

const MIGRATIONS = path.join(process.cwd(), 'lib', 'db', 'migrations');

/**
 * Migrates as the owner role and gives the portal's own role what it needs and no more: it may read
 * and append to the journal, never change, delete or truncate it, and being no owner it cannot
 * switch the journal's append-only trigger off.
 */
async function migrateAsOwner(migrationUrl: string, appPool: pg.Pool): Promise<void> {
  const { rows } = await appPool.query<{ role: string }>('SELECT current_user AS role');
  const appRole = pg.escapeIdentifier(rows[0]!.role);
  const owner = new pg.Pool({ connectionString: migrationUrl, max: 1 });
  try {
    await migratePg(drizzlePg({ client: owner, schema }), { migrationsFolder: MIGRATIONS });
    const { rows: who } = await owner.query<{ role: string }>('SELECT current_user AS role');
    if (pg.escapeIdentifier(who[0]!.role) === appRole) return;
    await owner.query(`GRANT USAGE ON SCHEMA public TO ${appRole}`);
    await owner.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${appRole}`);
    await owner.query(`REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON journal FROM ${appRole}`);
    await owner.query(`GRANT SELECT, INSERT ON journal TO ${appRole}`);
  } finally {
    await owner.end();
  }
}

function restrictTree(dir: string): void {
  fs.chmodSync(dir, 0o700);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    fs.chmodSync(path.join(entry.parentPath, entry.name), entry.isDirectory() ? 0o700 : 0o600);
  }
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.url) {
    const pool = new pg.Pool({ connectionString: options.url, max: 10 });
    // An idle connection the server ends (restart, failover, pg_terminate_backend) is dropped by
    // the pool and replaced on next use; without a listener its error would end the process.
    pool.on('error', (error: Error & { code?: string }) => {
      console.error(`database: an idle connection was closed (${error.code ?? error.name}); the pool will reconnect`);
    });
    const db = drizzlePg({ client: pool, schema }) as unknown as Db;
    try {
      if (options.migrationUrl && options.migrationUrl !== options.url) await migrateAsOwner(options.migrationUrl, pool);
      else await migratePg(drizzlePg({ client: pool, schema }), { migrationsFolder: MIGRATIONS });
    } catch (error) {
      await pool.end();
      throw error;
    }
    return {
      db,
      kind: 'postgres',
      description: options.migrationUrl ? 'PostgreSQL (DATABASE_URL; schema owned by the DATABASE_MIGRATION_URL role)' : 'PostgreSQL (DATABASE_URL)',
      close: () => pool.end(),
    };
  }
  const dir = path.join(options.dataDir, 'db');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const lock: DirectoryLock = acquireDirectoryLock(options.dataDir, 'db');
  try {
    const client = await PGlite.create(dir);
    // PGlite writes its files world-readable whatever the umask; its folder (0700) already keeps
    // others out, and the files it holds are made owner-only too.
    restrictTree(dir);
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
