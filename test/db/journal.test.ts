import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTransaction } from '@/lib/db/tx';
import { journal } from '@/lib/db/schema';
import { appendJournal, type JournalEntryInput } from '@/lib/journal/append';
import { verifyJournal } from '@/lib/journal/verify';
import { testServices, type TestServices } from '../support/services';
import { makeCtx } from '@/lib/context';

// The chain hashes any details; these entries exercise it with shapes no verb writes.
const anyEntry = (entry: object) => entry as unknown as JournalEntryInput;

describe(`journal (${process.env.CUSTOS_TEST_DB})`, () => {
  let services: TestServices;
  beforeAll(async () => {
    services = await testServices({ seed: false });
  });
  afterAll(async () => services?.dispose());

  const ctx = () => makeCtx(services, { type: 'system', job: 'test' });
  const append = (n: number) =>
    withTransaction(ctx(), async (tx, c) => {
      for (let i = 0; i < n; i++) await appendJournal(tx, c, anyEntry({ action: 'query.run', subject: `s${i}`, details: { i, tags: ['a', 'b'], ok: true } }));
    });

  it('chains entries and verifies them', async () => {
    await append(5);
    const result = await verifyJournal(services.database.db);
    expect(result).toMatchObject({ ok: true, entries: 5, lastSeq: 5, firstBreak: null });
    const rows = await services.database.db.select().from(journal).orderBy(journal.seq);
    expect(rows[0]!.prevHash).toBe('0'.repeat(64));
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.prevHash).toBe(rows[i - 1]!.hash);
  });

  it('refuses UPDATE, DELETE and TRUNCATE through the trigger', async () => {
    const { db } = services.database;
    // drizzle wraps the database error; the trigger's message is the cause
    const refusal = (p: Promise<unknown>) => p.then(() => 'accepted', (e: Error & { cause?: Error }) => `${e.message} ${e.cause?.message ?? ''}`);
    expect(await refusal(db.execute(sql`update journal set action = 'x' where seq = 1`))).toMatch(/append-only: UPDATE refused/);
    expect(await refusal(db.execute(sql`delete from journal where seq = 1`))).toMatch(/append-only: DELETE refused/);
    expect(await refusal(db.execute(sql`truncate journal`))).toMatch(/append-only: TRUNCATE refused/);
    expect((await verifyJournal(db)).ok).toBe(true);
  });

  it('loses the entry with the transaction that wrote it', async () => {
    const before = (await verifyJournal(services.database.db)).entries;
    await expect(
      withTransaction(ctx(), async (tx, c) => {
        await appendJournal(tx, c, anyEntry({ action: 'query.run', subject: 'rolled back' }));
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect((await verifyJournal(services.database.db)).entries).toBe(before);
  });

  it('keeps one unbroken chain under concurrent appends', async () => {
    await Promise.all(Array.from({ length: 8 }, () => append(3)));
    const result = await verifyJournal(services.database.db);
    expect(result.ok).toBe(true);
    expect(result.entries).toBe(5 + 24);
  });

  it('names the altered entry when a row is changed behind the trigger', async () => {
    const { db } = services.database;
    // What a superuser could do: switch the trigger off, edit, switch it back on.
    await db.execute(sql`alter table journal disable trigger journal_no_update_delete`);
    await db.execute(sql`update journal set details = '{"i": 99}'::jsonb where seq = 3`);
    await db.execute(sql`alter table journal enable trigger journal_no_update_delete`);
    const result = await verifyJournal(db);
    expect(result.ok).toBe(false);
    expect(result.firstBreak).toMatchObject({ seq: 3, reason: 'hash_mismatch', action: 'query.run' });
    expect(result.firstBreak!.message).toContain('Entry 3');
  });

  it('names a deleted entry as missing', async () => {
    const db2 = await testServices({ seed: false });
    try {
      await withTransaction(makeCtx(db2, { type: 'system', job: 'test' }), async (tx, c) => {
        for (let i = 0; i < 4; i++) await appendJournal(tx, c, anyEntry({ action: 'auth.sign_in', subject: `u${i}` }));
      });
      const { db } = db2.database;
      await db.execute(sql`alter table journal disable trigger journal_no_update_delete`);
      await db.execute(sql`delete from journal where seq = 2`);
      await db.execute(sql`alter table journal enable trigger journal_no_update_delete`);
      const result = await verifyJournal(db);
      expect(result.firstBreak).toMatchObject({ seq: 2, reason: 'missing_entry' });
    } finally {
      await db2.dispose();
    }
  });
});
