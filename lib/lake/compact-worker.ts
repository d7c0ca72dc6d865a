// Worker-thread entry of compaction: parses the partitions it is sent, one at a time, into the
// staged files named in each job (compact-parse.ts). compact-pool.ts starts it.
import { parentPort, workerData } from 'node:worker_threads';
import { parsePartition, type ParsedPartition, type PartitionJob } from './compact-parse';
import type { LakeLocation } from './tables';

export type CompactWorkerData = { kind: 'custos-compact-parse'; lake: LakeLocation };
export type CompactRequest = { id: number; job: PartitionJob };
export type CompactReply = { ready: true } | { id: number; ok: true; result: ParsedPartition } | { id: number; ok: false; error: string };

const data = workerData as CompactWorkerData | undefined;
if (parentPort && data?.kind === 'custos-compact-parse') {
  const port = parentPort;
  port.on('message', (request: CompactRequest) => {
    parsePartition(data.lake, request.job, { blockingReads: true }).then(
      (result) => port.postMessage({ id: request.id, ok: true, result } satisfies CompactReply),
      (error: unknown) => port.postMessage({ id: request.id, ok: false, error: error instanceof Error ? error.message : String(error) } satisfies CompactReply),
    );
  });
  port.postMessage({ ready: true } satisfies CompactReply);
}
