import 'server-only';
import { AthenaClient, GetWorkGroupCommand, type WorkGroup } from '@aws-sdk/client-athena';
import { S3Client } from '@aws-sdk/client-s3';
import { athenaCostUsd, rawRead, type Cell, type EngineExecution, type EngineStats, type QueryEngine } from '@/lib/engine/port';
import { athenaAccessIndex, indexScan } from './access-index';
import { DEFAULT_RETRY, type AthenaConfig } from './config';
import { checkAthenaConfig } from './config-check';
import { athenaCoverage } from './coverage';
import type { AthenaContext } from './context';
import { runQueryExecution } from './query-execution';
import { executionStats, openQueryResults } from './query-results';
import { withRetry } from './retry';
import { estimateScan, latestTrailDay } from './scan-estimate';

export type { AthenaConfig } from './config';

export type AthenaClients = { athena?: AthenaClient; s3?: S3Client };

/** Production engine: the saved SQL runs on Amazon Athena; large results stream from the S3 CSV. */
export function createAthenaEngine(config: AthenaConfig, clients: AthenaClients = {}): QueryEngine {
  const own: { destroy(): void }[] = [];
  // Retries live in withRetry (one policy for throttling); the SDK's own would multiply them.
  const athena =
    clients.athena ??
    new AthenaClient({ region: config.region || undefined, endpoint: config.endpoint, maxAttempts: 1 });
  const s3 = clients.s3 ?? new S3Client({ region: config.region || undefined, maxAttempts: 1 });
  if (!clients.athena) own.push(athena);
  if (!clients.s3) own.push(s3);

  let workGroupLookup: Promise<WorkGroup | undefined> | undefined;
  const ctx: AthenaContext = {
    config,
    athena,
    s3,
    retry: config.retry ?? DEFAULT_RETRY,
    workGroup: () => {
      workGroupLookup ??= withRetry(
        'athena:GetWorkGroup',
        () => athena.send(new GetWorkGroupCommand({ WorkGroup: config.workGroup })),
        ctx.retry,
      ).then(
        (out) => out.WorkGroup,
        () => {
          workGroupLookup = undefined;
          return undefined;
        },
      );
      return workGroupLookup;
    },
  };

  return {
    kind: 'athena',
    capabilities: { localLake: false },
    // Reaching Athena would cost a request per probe; configuration is checked by `config check`.
    ready: async () => true,
    estimate: async (request) => {
      const raw = rawRead(request);
      const days = request.accessIndex?.indexed;
      const [logs, index] = await Promise.all([estimateScan(ctx, raw.tables, raw.scope), days ? indexScan(ctx, days) : null]);
      if (!index) return logs;
      const bytes = logs.bytes + index.bytes;
      return { files: logs.files + index.files, bytes, partitions: logs.partitions + index.partitions, costUsd: athenaCostUsd(bytes) };
    },
    execute: async (request): Promise<EngineExecution> => {
      const startedAt = performance.now();
      const execution = await runQueryExecution(ctx, request, startedAt);
      const stats = executionStats(execution, startedAt);
      const { columns, batches } = await openQueryResults(ctx, execution, request, startedAt);
      let settle!: { resolve: (s: EngineStats) => void; reject: (e: unknown) => void };
      const settled = new Promise<EngineStats>((resolve, reject) => {
        settle = { resolve, reject };
      });
      settled.catch(() => undefined);
      const tracked = async function* (): AsyncGenerator<Cell[][]> {
        try {
          yield* batches;
        } catch (error) {
          settle.reject(error);
          throw error;
        } finally {
          settle.resolve(stats);
        }
      };
      return { executionId: execution.QueryExecutionId, columns, batches: tracked(), stats: () => settled };
    },
    coverage: (tables, window) => athenaCoverage(ctx, tables, window),
    checkConfig: () => checkAthenaConfig(ctx),
    dataWindow: async () => {
      try {
        const last = await latestTrailDay(ctx);
        if (!last) return null;
        const from = new Date(Date.parse(`${last}T00:00:00Z`) - 29 * 86_400_000).toISOString().slice(0, 10);
        return { from, to: last };
      } catch {
        return null;
      }
    },
    accessIndex: athenaAccessIndex(ctx),
    close: async () => {
      for (const client of own) client.destroy();
    },
  };
}
