import 'server-only';
import { authorize } from '@/lib/auth/authorize';
import type { Ctx } from '@/lib/context';
import { withTransaction } from '@/lib/db/tx';
import { DomainError } from '@/lib/errors';
import { appendJournal } from '@/lib/journal/append';
import { compactLake, type CompactSummary } from '@/lib/lake/compact';

/** Compacts newly delivered raw files now (the portal also does it at start); journaled with its summary. */
export async function compactLakeNow(ctx: Ctx): Promise<CompactSummary> {
  await authorize(ctx, 'admin.view', 'admin:compact');
  if (!ctx.services.engine.capabilities.localLake) {
    throw new DomainError('precondition', 'Compaction applies to the embedded engine; on Athena it is the scheduled INSERT INTO described in lib/lake/ddl.');
  }
  const summary = await compactLake(ctx.services.lake, {});
  await withTransaction(ctx, (tx, txCtx) =>
    appendJournal(tx, txCtx, {
      action: 'lake.compact',
      subject: null,
      details: { rawFiles: summary.rawFiles, records: summary.records, partitionsWritten: summary.partitionsWritten, seconds: summary.seconds },
    }),
  );
  return summary;
}
