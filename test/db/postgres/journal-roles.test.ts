import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCtx } from '@/lib/context';
import { openDatabase } from '@/lib/db/client';
import type { Database } from '@/lib/db/port';
import { withTransaction } from '@/lib/db/tx';
import { appendJournal } from '@/lib/journal/append';
import { verifyJournal } from '@/lib/journal/verify';
import { POSTGRES_ADMIN_URL } from '../../support/database';

// With an owner role for migrations (DATABASE_MIGRATION_URL), the portal's own role may append to
// the journal and read it, and nothing more: it cannot delete, rewrite or truncate entries, nor
// switch the append-only trigger off.
describe('the journal against the portal’s own database role (postgres)', () => {
  const suffix = randomBytes(4).toString('hex');
  const owner = `custos_owner_${suffix}`;
  const app = `custos_app_${suffix}`;
  const name = `custos_roles_${suffix}`;
  const urlFor = (role: string) => {
    const url = new URL(POSTGRES_ADMIN_URL);
    url.username = role;
    url.pathname = `/${name}`;
    return url.toString();
  };
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-roles-'));
  let admin: pg.Client;
  let database: Database;

  const refusal = async (statement: string) => {
    try {
      await database.db.execute(sql.raw(statement));
      return 'accepted';
    } catch (error) {
      const cause = (error as { cause?: { message?: string } }).cause;
      return cause?.message ?? (error as Error).message;
    }
  };

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE ROLE ${owner} LOGIN`);
    await admin.query(`CREATE ROLE ${app} LOGIN`);
    await admin.query(`CREATE DATABASE ${name} OWNER ${owner}`);
    database = await openDatabase({ url: urlFor(app), migrationUrl: urlFor(owner), dataDir });
    const ctx = makeCtx({ database } as never, { type: 'system', job: 'start-up' });
    await withTransaction(ctx, async (tx, c) => {
      for (let i = 0; i < 3; i++) await appendJournal(tx, c, { action: 'user.seed_demo', subject: null, details: { created: i, passwordsReset: 0 } });
    });
  });

  afterAll(async () => {
    await database?.close();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`DROP ROLE IF EXISTS ${app}`);
    await admin.query(`DROP ROLE IF EXISTS ${owner}`);
    await admin.end();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('appends and reads the journal as the portal’s role', async () => {
    expect(await verifyJournal(database.db)).toMatchObject({ ok: true, entries: 3 });
  });

  it('cannot switch the append-only trigger off', async () => {
    expect(await refusal('ALTER TABLE journal DISABLE TRIGGER journal_no_update_delete')).toMatch(/must be owner of table journal/);
    expect(await refusal('DROP TRIGGER journal_no_truncate ON journal')).toMatch(/must be owner of (table|relation) journal/);
  });

  it('cannot delete, rewrite or truncate an entry', async () => {
    expect(await refusal('DELETE FROM journal WHERE seq = 3')).toMatch(/permission denied for table journal/);
    expect(await refusal(`UPDATE journal SET subject = 'forged' WHERE seq = 2`)).toMatch(/permission denied for table journal/);
    expect(await refusal('TRUNCATE journal')).toMatch(/permission denied for table journal/);
    expect(await verifyJournal(database.db)).toMatchObject({ ok: true, entries: 3 });
  });

  it('keeps the rights it needs on the other tables', async () => {
    await database.db.execute(sql`INSERT INTO sign_in_throttle (key, window_start, failures, next_attempt_at) VALUES ('account:someone@example.org', now(), 1, now())`);
    await database.db.execute(sql`UPDATE sign_in_throttle SET failures = 2 WHERE key = 'account:someone@example.org'`);
    await database.db.execute(sql`DELETE FROM sign_in_throttle WHERE key = 'account:someone@example.org'`);
    // and reads every table the later migrations added (evidence, posture, retention)
    for (const table of ['evidence', 'posture_refreshes', 'deletion_requests', 'legal_holds', 'jobs']) {
      await expect(database.db.execute(sql.raw(`SELECT count(*) FROM ${table}`))).resolves.toBeDefined();
    }
  });
});
