import 'server-only';
import { checkJournal } from '@/lib/admin/check-journal';
import { writeJournalCheckpoint } from '@/lib/admin/write-journal-checkpoint';
import { withCli } from '../context';
import type { Parsed } from '../args';
import { err, out } from '../io';
import type { JOURNAL_CHECKPOINT, JOURNAL_VERIFY } from '../specs';

export async function journalVerify({ values }: Parsed<typeof JOURNAL_VERIFY>): Promise<number> {
  return withCli({}, async (ctx) => {
    const result = await checkJournal(ctx);
    if (values.json) out(JSON.stringify(result, null, 2));
    if (result.ok) {
      if (!values.json) {
        const anchored = result.checkpoints.latestSeq === null ? 'no checkpoint yet' : `${result.checkpoints.verified} checkpoints, the latest at entry ${result.checkpoints.latestSeq}`;
        out(`Journal intact: ${result.entries} entries verified against ${anchored}; head hash ${result.lastHash}`);
      }
      return 0;
    }
    const b = result.firstBreak!;
    // "Journal broken at entry N" is what scripts match; the kind of problem follows in brackets
    err(`Journal broken at entry ${b.seq}${b.action ? ` (${b.action}, ${b.at})` : ''}: ${b.message}${result.problem ? ` [${result.problem.kind}]` : ''}`);
    return 1;
  });
}

export async function journalCheckpoint({ values }: Parsed<typeof JOURNAL_CHECKPOINT>): Promise<number> {
  return withCli({}, async (ctx) => {
    const written = await writeJournalCheckpoint(ctx);
    if (!written) {
      err('The journal is empty: there is nothing to checkpoint yet.');
      return 1;
    }
    const object = `${written.object.bucket}/${written.object.key}?versionId=${written.object.versionId}`;
    if (values.json) out(JSON.stringify({ seq: written.seq, hash: written.hash, at: written.at, object }, null, 2));
    else out(`Checkpoint of entry ${written.seq} (hash ${written.hash}) written to ${object}`);
    return 0;
  });
}
