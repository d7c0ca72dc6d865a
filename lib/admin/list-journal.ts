import 'server-only';
import { count, desc, eq, type SQL } from 'drizzle-orm';
import { authorize } from '@/lib/auth/authorize';
import type { Ctx } from '@/lib/context';
import { parseInput } from '@/lib/errors';
import { journal } from '@/lib/db/schema';
import { JournalFilter } from './journal-filter';

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


export async function listJournal(ctx: Ctx, raw: unknown): Promise<{ entries: JournalEntryDto[]; total: number }> {
  await authorize(ctx, 'journal.view');
  const input = parseInput(JournalFilter, raw ?? {});
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
