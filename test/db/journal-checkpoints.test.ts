import fs from 'node:fs';
import path from 'node:path';
import { desc, eq, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkJournal, checkpointStore } from '@/lib/admin/check-journal';
import { writeJournalCheckpoint } from '@/lib/admin/write-journal-checkpoint';
import { makeCtx } from '@/lib/context';
import { journal } from '@/lib/db/schema';
import { withTransaction } from '@/lib/db/tx';
import { appendJournal, entryHash } from '@/lib/journal/append';
import { CHECKPOINT_JOB, CHECKPOINT_PREFIX, checkpointDue, verifyCheckpoints } from '@/lib/journal/checkpoints';
import { verifyJournal } from '@/lib/journal/verify';
import { testServices, type TestServices } from '../support/services';
import { until } from '../support/until';

// The journal proves itself against someone who can rewrite its table: its head is anchored outside
// the database (checkpoints under Object Lock, authenticated with a key the database does not hold).
// Each attack the table's owner could make is detected and named.
describe(`journal checkpoints (${process.env.CUSTOS_TEST_DB})`, () => {
  let services: TestServices;
  const cli = () => makeCtx(services, { type: 'cli', osUser: 'tester' });
  const append = (n: number) =>
    withTransaction(makeCtx(services, { type: 'system', job: 'test' }), async (tx, c) => {
      for (let i = 0; i < n; i++) await appendJournal(tx, c, { action: 'lake.compact', subject: null, details: { rawFiles: i, records: 0, partitionsWritten: 0, seconds: 0 } });
    });
  const db = () => services.database.db;
  beforeAll(async () => {
    services = await testServices({ seed: false, env: { CUSTOS_JOURNAL_CHECKPOINT_ENTRIES: '10', CUSTOS_JOURNAL_CHECKPOINT_MINUTES: '5' } });
  });
  afterAll(async () => services?.dispose());

  it('writes a checkpoint of the head to the object store, locked, and journals it', async () => {
    await append(5);
    const written = await writeJournalCheckpoint(cli());
    expect(written).toMatchObject({ seq: 5, object: { bucket: 'custos-journal-checkpoints', key: `${CHECKPOINT_PREFIX}000000000005.json` } });
    const info = await services.objects.head({ bucket: written!.object.bucket, key: written!.object.key });
    expect(info.retention).toMatchObject({ mode: 'COMPLIANCE' });
    expect(info.retention!.retainUntil.getTime()).toBeGreaterThan(Date.now() + 7 * 365 * 86_400_000);
    await expect(services.objects.delete({ bucket: written!.object.bucket, key: written!.object.key, versionId: written!.object.versionId })).rejects.toThrow();
    const [entry] = await db().select().from(journal).orderBy(desc(journal.seq)).limit(1);
    expect(entry).toMatchObject({ action: 'journal.checkpoint', details: { seq: 5, hash: written!.hash } });
    expect(await checkJournal(cli())).toMatchObject({ ok: true, checkpoints: { verified: 1, latestSeq: 5 } });
  });

  it('is due every N entries, and after M minutes only when something besides checkpoints happened', async () => {
    expect(await checkpointDue(db(), { entries: 10, minutes: 5 })).toBe(false);
    await append(10);
    expect(await checkpointDue(db(), { entries: 10, minutes: 5 })).toBe(true);
    services.jobs.start();
    await until(async () => {
      const [last] = await db().select().from(journal).where(eq(journal.action, 'journal.checkpoint')).orderBy(desc(journal.seq)).limit(1);
      return (last?.details.seq as number) > 5;
    });
    await services.jobs.stop();
    expect(await checkpointDue(db(), { entries: 10, minutes: 5 })).toBe(false);
    expect(await checkpointDue(db(), { entries: 10, minutes: 0 })).toBe(false); // only the checkpoint's own job entries since
    const jobs = await db().execute(sql`SELECT count(*)::int AS n FROM jobs WHERE kind = ${CHECKPOINT_JOB}`);
    expect(Number((jobs as unknown as { rows: { n: number }[] }).rows[0]!.n)).toBe(1);
  });

  describe('each attack on its own journal', () => {
    let victim: TestServices;
    let checkpoints: number[];
    const vdb = () => victim.database.db;
    const vcli = () => makeCtx(victim, { type: 'cli', osUser: 'tester' });
    const verify = async () => verifyCheckpoints(vdb(), checkpointStore(victim), await verifyJournal(vdb()));
    const owner = async (statement: ReturnType<typeof sql>) => {
      await vdb().execute(sql`ALTER TABLE journal DISABLE TRIGGER journal_no_update_delete`);
      await vdb().execute(sql`ALTER TABLE journal DISABLE TRIGGER journal_no_truncate`);
      try {
        await vdb().execute(statement);
      } finally {
        await vdb().execute(sql`ALTER TABLE journal ENABLE TRIGGER journal_no_update_delete`);
        await vdb().execute(sql`ALTER TABLE journal ENABLE TRIGGER journal_no_truncate`);
      }
    };
    const files = (seq: number) =>
      fs
        .readdirSync(path.join(victim.env.dataDir, 'objects'), { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile() && e.parentPath.includes(String(seq).padStart(12, '0')))
        .map((e) => path.join(e.parentPath, e.name));

    beforeEach(async () => {
      victim = await testServices({ seed: false });
      const add = (n: number) =>
        withTransaction(makeCtx(victim, { type: 'system', job: 'test' }), async (tx, c) => {
          for (let i = 0; i < n; i++) await appendJournal(tx, c, { action: 'lake.compact', subject: null, details: { rawFiles: i, records: 0, partitionsWritten: 0, seconds: 0 } });
        });
      checkpoints = [];
      for (const n of [6, 4, 4]) {
        await add(n);
        checkpoints.push((await writeJournalCheckpoint(vcli()))!.seq);
      }
      await add(2);
      expect(checkpoints).toEqual([6, 11, 16]); // each checkpoint's own entry follows it
      expect(await verify()).toMatchObject({ verified: 3, latestSeq: 16, problem: null });
    });
    afterEach(async () => victim?.dispose());

    it('names an entry edited without re-chaining: broken-chain', async () => {
      await owner(sql`UPDATE journal SET subject = 'edited' WHERE seq = 3`);
      expect((await verify()).problem).toEqual({ kind: 'broken-chain', seq: 3 });
    });

    it('names an entry edited and the chain recomputed forward: rechained, at the first checkpoint past it', async () => {
      const rows = await vdb().select().from(journal).orderBy(journal.seq);
      let prevHash = rows[0]!.hash;
      for (const row of rows.slice(1)) {
        const forged = { ...row, subject: row.seq === 8 ? 'forged' : row.subject, prevHash };
        const { hash: _old, ...rest } = forged;
        const hash = entryHash(rest);
        await owner(sql`UPDATE journal SET subject = ${forged.subject}, prev_hash = ${prevHash}, hash = ${hash} WHERE seq = ${row.seq}`);
        prevHash = hash;
      }
      expect((await verifyJournal(vdb())).ok).toBe(true); // the chain alone cannot tell
      expect((await verify()).problem).toEqual({ kind: 'rechained', seq: 11 });
      expect(await checkJournal(vcli())).toMatchObject({ ok: false, problem: { kind: 'rechained', seq: 11 } });
    });

    it('names the last entries deleted: truncated, from the first one missing', async () => {
      await owner(sql`DELETE FROM journal WHERE seq > 14`);
      expect((await verifyJournal(vdb())).ok).toBe(true);
      expect((await verify()).problem).toEqual({ kind: 'truncated', seq: 15 });
    });

    it('names a checkpoint deleted in the middle: checkpoint-missing', async () => {
      for (const f of files(11)) fs.rmSync(f);
      expect((await verify()).problem).toMatchObject({ kind: 'checkpoint-missing', seq: 11 });
    });

    it('names the latest checkpoint deleted: checkpoint-missing (the journal recorded writing it)', async () => {
      for (const f of files(16)) fs.rmSync(f);
      expect((await verify()).problem).toEqual({ kind: 'checkpoint-missing', seq: 16 });
    });

    it('names a checkpoint rewritten without the key: checkpoint-forged', async () => {
      const key = `${CHECKPOINT_PREFIX}000000000011.json`;
      const stored = JSON.parse(Buffer.from((await victim.objects.get({ bucket: 'custos-journal-checkpoints', key })).body).toString('utf8')) as Record<string, unknown>;
      // a new version through the store itself (Object Lock allows adding versions): it cannot carry a valid MAC
      await victim.objects.put({ bucket: 'custos-journal-checkpoints', key, body: JSON.stringify({ ...stored, hash: '0'.repeat(64) }) });
      expect((await verify()).problem).toEqual({ kind: 'checkpoint-forged', seq: 11 });
    });

    it('names a checkpoint whose bytes were changed on disk: checkpoint-forged', async () => {
      for (const f of files(6).filter((x) => x.endsWith('.data'))) {
        const bytes = fs.readFileSync(f);
        bytes[bytes.length - 3]! ^= 1;
        fs.writeFileSync(f, bytes);
      }
      expect((await verify()).problem).toEqual({ kind: 'checkpoint-forged', seq: 6 });
    });
  });
});
