import 'server-only';
import { createHash } from 'node:crypto';
import { desc, sql } from 'drizzle-orm';
import type { Ctx } from '@/lib/context';
import { actorId, actorLabel, actorRole } from '@/lib/actor';
import { journal, type JournalRow } from '@/lib/db/schema';
import { canonicalize } from '@/lib/canonical';
import { GENESIS_HASH, type JournalEntryInput } from './events';

export type { JournalEntryInput };
import type { Db } from '@/lib/db/port';


/** The fields covered by an entry's hash, in their canonical form. */
export function hashedFields(row: Omit<JournalRow, 'hash'>) {
  return {
    seq: row.seq,
    at: row.at.toISOString(),
    actorType: row.actorType,
    actorId: row.actorId,
    actorLabel: row.actorLabel,
    actorRole: row.actorRole ?? null,
    action: row.action,
    subject: row.subject ?? null,
    details: row.details,
    requestId: row.requestId ?? null,
    prevHash: row.prevHash,
  };
}

export function entryHash(row: Omit<JournalRow, 'hash'>): string {
  return createHash('sha256').update(canonicalize(hashedFields(row)), 'utf8').digest('hex');
}

// Serializes appends across connections so the chain never forks (PostgreSQL has many writers).
const JOURNAL_LOCK = 0x6a6f75726e616c;

/** Appends one entry inside the caller's transaction; if the transaction rolls back, so does the entry. */
export async function appendJournal(tx: Db, ctx: Pick<Ctx, 'actor' | 'now' | 'requestId'>, input: JournalEntryInput): Promise<JournalRow> {
  await tx.execute(sql`select pg_advisory_xact_lock(${JOURNAL_LOCK})`);
  const [last] = await tx
    .select({ seq: journal.seq, hash: journal.hash })
    .from(journal)
    .orderBy(desc(journal.seq))
    .limit(1);
  const at = new Date(Math.floor(ctx.now().getTime()));
  const row: Omit<JournalRow, 'hash'> = {
    seq: (last?.seq ?? 0) + 1,
    at,
    actorType: ctx.actor.type,
    actorId: actorId(ctx.actor),
    actorLabel: actorLabel(ctx.actor),
    actorRole: actorRole(ctx.actor),
    action: input.action,
    subject: input.subject ?? null,
    details: (input.details ?? {}) as Record<string, unknown>,
    requestId: ctx.requestId,
    prevHash: last?.hash ?? GENESIS_HASH,
  };
  const full = { ...row, hash: entryHash(row) };
  await tx.insert(journal).values(full);
  return full;
}
