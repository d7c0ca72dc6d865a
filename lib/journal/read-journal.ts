import 'server-only';
import { count, desc, eq, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { authorize } from '@/lib/auth/authorize';
import type { Ctx } from '@/lib/context';
import { withTransaction } from '@/lib/db/tx';
import { journal } from '@/lib/db/schema';
import { appendJournal } from './append';
import { JOURNAL_ACTIONS } from './events';
import { verifyJournal, type JournalVerification } from './verify';

export type JournalEntryDto = {
  seq: number;
  at: string;
  actor: string;
  role: string | null;
  action: string;
  subject: string | null;
  details: Record<string, unknown>;
  hash: string;
};

const ListInput = z.object({
  action: z.enum(JOURNAL_ACTIONS).optional(),
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export async function listJournal(ctx: Ctx, raw: unknown): Promise<{ entries: JournalEntryDto[]; total: number }> {
  await authorize(ctx, 'journal.view');
  const input = ListInput.parse(raw ?? {});
  const where: SQL | undefined = input.action ? eq(journal.action, input.action) : undefined;
  const rows = await ctx.db.select().from(journal).where(where).orderBy(desc(journal.seq)).limit(input.limit).offset(input.offset);
  const [total] = await ctx.db.select({ n: count() }).from(journal).where(where);
  return {
    entries: rows.map((r) => ({
      seq: r.seq,
      at: r.at.toISOString(),
      actor: r.actorLabel,
      role: r.actorRole,
      action: r.action,
      subject: r.subject,
      details: r.details,
      hash: r.hash,
    })),
    total: total?.n ?? 0,
  };
}

/** Verifies the whole chain and records that it was verified (and what was found). */
export async function checkJournal(ctx: Ctx): Promise<JournalVerification> {
  await authorize(ctx, 'journal.view');
  const result = await verifyJournal(ctx.db);
  await withTransaction(ctx, (tx, txCtx) =>
    appendJournal(tx, txCtx, {
      action: 'journal.verify',
      subject: null,
      details: result.ok
        ? { ok: true, entries: result.entries, lastHash: result.lastHash }
        : { ok: false, entries: result.entries, brokenSeq: result.firstBreak!.seq, reason: result.firstBreak!.reason },
    }),
  );
  return result;
}
