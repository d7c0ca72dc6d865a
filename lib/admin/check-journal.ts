import 'server-only';
import { authorize } from '@/lib/auth/authorize';
import type { Ctx, Services } from '@/lib/context';
import { withTransaction } from '@/lib/db/tx';
import { appendJournal } from '@/lib/journal/append';
import { verifyCheckpoints, type CheckpointProblem, type CheckpointStore } from '@/lib/journal/checkpoints';
import { verifyJournal, type JournalVerification } from '@/lib/journal/verify';

export type JournalCheck = JournalVerification & {
  checkpoints: { verified: number; latestSeq: number | null };
  /** What is wrong, named: the chain itself, or the journal measured against its checkpoints. */
  problem?: CheckpointProblem;
};

export function checkpointStore(services: Services): CheckpointStore {
  return {
    objects: services.objects,
    bucket: services.env.CUSTOS_JOURNAL_CHECKPOINT_BUCKET,
    keys: services.keys,
    retentionDays: services.env.CUSTOS_JOURNAL_CHECKPOINT_RETENTION_DAYS,
    signer: services.signer,
  };
}

const MESSAGES: Record<CheckpointProblem['kind'], (seq: number) => string> = {
  'broken-chain': (seq) => `Entry ${seq} does not chain to the entries before it.`,
  truncated: (seq) => `Entries from ${seq} on are missing: a checkpoint recorded the journal beyond its current end.`,
  rechained: (seq) => `Entry ${seq} differs from what its checkpoint recorded: the journal was rewritten up to there.`,
  'checkpoint-missing': (seq) => `The checkpoint of entry ${seq} is missing from the object store.`,
  'checkpoint-forged': (seq) => `The checkpoint of entry ${seq} is not authentic: it was not written with this portal's key.`,
};

/** Verifies the whole chain and every checkpoint, and records that it was verified (and what was found). */
export async function checkJournal(ctx: Ctx): Promise<JournalCheck> {
  await authorize(ctx, 'journal.view');
  const chain = await verifyJournal(ctx.db);
  const { verified, latestSeq, problem } = await verifyCheckpoints(ctx.db, checkpointStore(ctx.services), chain);
  const result: JournalCheck = { ...chain, ok: chain.ok && !problem, checkpoints: { verified, latestSeq } };
  if (problem) {
    result.problem = problem;
    result.firstBreak ??= { seq: problem.seq, at: null, action: null, reason: 'hash_mismatch', message: MESSAGES[problem.kind](problem.seq) };
  }
  await withTransaction(ctx, (tx, txCtx) =>
    appendJournal(tx, txCtx, {
      action: 'journal.verify',
      subject: null,
      details: result.ok
        ? { ok: true, entries: result.entries, lastHash: result.lastHash, checkpoints: verified, latestCheckpointSeq: latestSeq }
        : { ok: false, entries: result.entries, problem: problem!.kind, seq: problem!.seq },
    }),
  );
  return result;
}
