import { createDuckDbEngine } from '@/lib/engine/duckdb/adapter';
import type { Cell, EngineColumn, QueryEngine } from '@/lib/engine/port';
import { DEMO_CATALOG_KEY } from '@/lib/phi';
import { DEFAULT_LAYOUT } from '@/lib/lake/layout';
import { engineRequest } from '@/lib/queries/engine-request';
import type { IndexSplit } from '@/lib/queries/index-split';
import { prepareParams } from '@/lib/queries/params';
import { findQuery } from '@/lib/queries/registry';
import { createKeyRing } from '@/lib/keys/key-ring';

export type QueryResult = { columns: EngineColumn[]; rows: Record<string, Cell>[]; bytesScanned: number; filesScanned: number | null };

export function lakeEngine(dir: string): Promise<QueryEngine> {
  return createDuckDbEngine({ lake: { dir, layout: DEFAULT_LAYOUT } });
}

/** Runs a saved query exactly as the portal does (registry, typed parameters, engine), without the ledger. */
export async function runQuery(
  engine: QueryEngine,
  queryId: string,
  params: Record<string, string>,
  options: { accessIndex?: boolean } = {},
): Promise<QueryResult & { split: IndexSplit | null }> {
  const query = findQuery(queryId);
  if (!query) throw new Error(`no saved query ${queryId}`);
  const useIndex = (options.accessIndex ?? true) && query.readsAccessIndex;
  const prepared = prepareParams(query, params, {
    accessIndex: useIndex ? await engine.accessIndex.span() : null,
    catalogKey: DEMO_CATALOG_KEY,
    maxDays: 366,
    defaults: { rangeStart: '2026-10-01', rangeEnd: '2026-10-31', timeZone: 'America/New_York', businessStart: 7, businessEnd: 19 },
    source: 'form',
    pseudonym: createKeyRing(Buffer.alloc(32, 1)).pseudonym,
  });
  const execution = await engine.execute(engineRequest(query, prepared));
  const rows: Record<string, Cell>[] = [];
  for await (const batch of execution.batches) {
    for (const row of batch) {
      const record: Record<string, Cell> = {};
      execution.columns.forEach((c, i) => (record[c.name] = row[i] ?? null));
      rows.push(record);
    }
  }
  const stats = await execution.stats();
  return { columns: execution.columns, rows, bytesScanned: stats.bytesScanned, filesScanned: stats.filesScanned, split: prepared.split };
}
