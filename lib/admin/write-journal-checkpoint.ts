import 'server-only';
import { authorize } from '@/lib/auth/authorize';
import { makeCtx, type Ctx, type Services } from '@/lib/context';
import type { JobHandler } from '@/lib/jobs/types';
import { writeCheckpoint, type WrittenCheckpoint } from '@/lib/journal/checkpoints';
import { checkpointStore } from './check-journal';

/** Anchors the journal's head outside the database now (an administrator or the command line). */
export async function writeJournalCheckpoint(ctx: Ctx): Promise<WrittenCheckpoint | null> {
  await authorize(ctx, 'admin.view', 'journal:checkpoint');
  return writeCheckpoint(ctx.db, checkpointStore(ctx.services), ctx.actor, ctx.requestId);
}

/** The checkpoint job, enqueued every CUSTOS_JOURNAL_CHECKPOINT_ENTRIES entries and CUSTOS_JOURNAL_CHECKPOINT_MINUTES minutes. */
export function journalCheckpointJob(services: Services): JobHandler {
  return async ({ job }) => {
    const ctx = makeCtx(services, { type: 'system', job: 'journal-checkpoint' }, job.id);
    const written = await writeCheckpoint(ctx.db, checkpointStore(services), ctx.actor, ctx.requestId);
    return written ? { seq: written.seq, object: written.object.key } : { skipped: 'empty journal' };
  };
}
