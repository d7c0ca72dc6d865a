import 'server-only';
import { asc, count, gt } from 'drizzle-orm';
import { journal } from '@/lib/db/schema';
import { entryHash } from './append';
import { GENESIS_HASH } from './events';
import type { Db } from '@/lib/db/port';

export type JournalBreak = {
  seq: number;
  at: string | null;
  action: string | null;
  reason: 'hash_mismatch' | 'chain_mismatch' | 'missing_entry';
  message: string;
};

export type JournalVerification = {
  ok: boolean;
  entries: number;
  lastSeq: number;
  lastHash: string;
  firstBreak: JournalBreak | null;
};

const PAGE = 1000;

/** Recomputes every entry's hash and link in order and reports the first entry that breaks the chain. */
export async function verifyJournal(db: Db): Promise<JournalVerification> {
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let entries = 0;
  let after = 0;
  for (;;) {
    const rows = await db.select().from(journal).where(gt(journal.seq, after)).orderBy(asc(journal.seq)).limit(PAGE);
    for (const row of rows) {
      const base = { seq: row.seq, at: row.at.toISOString(), action: row.action };
      if (row.seq !== expectedSeq) {
        return fail(entries, prevHash, {
          ...base,
          seq: expectedSeq,
          reason: 'missing_entry',
          message: `Entry ${expectedSeq} is missing (the next entry present is ${row.seq}).`,
        });
      }
      if (row.prevHash !== prevHash) {
        return fail(entries, prevHash, {
          ...base,
          reason: 'chain_mismatch',
          message: `Entry ${row.seq} does not link to entry ${row.seq - 1} (previous hash differs).`,
        });
      }
      const { hash, ...rest } = row;
      if (entryHash(rest) !== hash) {
        return fail(entries, prevHash, {
          ...base,
          reason: 'hash_mismatch',
          message: `Entry ${row.seq} (${row.action}) was altered: its content no longer matches its hash.`,
        });
      }
      prevHash = hash;
      expectedSeq++;
      entries++;
    }
    if (rows.length < PAGE) break;
    after = rows[rows.length - 1]!.seq;
  }
  return { ok: true, entries, lastSeq: expectedSeq - 1, lastHash: prevHash, firstBreak: null };
}

function fail(entries: number, lastHash: string, firstBreak: JournalBreak): JournalVerification {
  return { ok: false, entries, lastSeq: firstBreak.seq - 1, lastHash, firstBreak };
}

export async function journalSize(db: Db): Promise<number> {
  const [row] = await db.select({ n: count() }).from(journal);
  return row?.n ?? 0;
}
