import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '@/lib/db/client';
import { freshDatabase, POSTGRES_ADMIN_URL, type TestDatabase } from '../../support/database';
import type { Database } from '@/lib/db/port';

// PostgreSQL only: what happens when the server ends the pool's idle connections (a restart,
// a failover, an administrator's pg_terminate_backend).
describe('PostgreSQL connection loss', () => {
  let testDb: TestDatabase;
  let database: Database;
  beforeAll(async () => {
    testDb = await freshDatabase('postgres');
    database = await openDatabase({ url: testDb.url, dataDir: testDb.dataDir });
  });
  afterAll(async () => {
    await database?.close();
    await testDb?.drop();
  });

  it('survives the server ending its idle connections and answers the next query on a new one', async () => {
    const firstRow = async <T,>(query: ReturnType<typeof sql>) => ((await database.db.execute(query)) as unknown as { rows: T[] }).rows[0]!;
    const pid = Number((await firstRow<{ pid: number }>(sql`select pg_backend_pid() as pid`)).pid);
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await admin.connect();
      const killed = await admin.query('select pg_terminate_backend($1) as ok', [pid]);
      await admin.end();
      expect(killed.rows[0].ok).toBe(true);
      await new Promise((r) => setTimeout(r, 300));
      const after = await firstRow<{ pid: number; one: number }>(sql`select pg_backend_pid() as pid, 1 as one`);
      expect(Number(after.one)).toBe(1);
      expect(Number(after.pid)).not.toBe(pid);
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });
});
