import 'server-only';
import { authorize } from '@/lib/auth/authorize';
import type { Ctx } from '@/lib/context';
import { withTransaction } from '@/lib/db/tx';
import { appendJournal } from '@/lib/journal/append';
import { verifyJournal, type JournalVerification } from '@/lib/journal/verify';

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
