// A saved query run as the portal runs it (registry, typed parameters, engine), without the ledger,
// timed end to end: view planning, execution and reading every row.
import { DEMO_CATALOG_KEY } from '@/lib/phi';
import type { QueryEngine } from '@/lib/engine/port';
import type { SavedQuery } from '@/lib/queries/definition';
import { engineRequest } from '@/lib/queries/engine-request';
import { prepareParams } from '@/lib/queries/params';
import { median, perSecond, round } from './figures';
import { createKeyRing } from '@/lib/keys/key-ring';

// Pseudonyms in a benchmark name nobody: any installation key will do.
const BENCH_KEYS = createKeyRing(Buffer.alloc(32, 7));

export type QueryRun = { ms: number; rows: number; bytesScanned: number; files: number | null };

export type QueryFigures = {
  /** Median over the runs. */
  ms: number;
  runsMs: number[];
  rows: number;
  bytesScanned: number;
  files: number | null;
  from: string | null;
  to: string | null;
  /** CloudTrail records in the partitions the scope reads. */
  eventsInScope: number;
  eventsPerSecond: number;
};

export const QUERY_MAX_DAYS = 366;

const DEFAULTS = { rangeStart: '2026-10-01', rangeEnd: '2026-10-31', timeZone: 'America/New_York', businessStart: 7, businessEnd: 19 };

export async function runOnce(engine: QueryEngine, query: SavedQuery, params: Record<string, string>): Promise<QueryRun & { scope: { from: string; to: string } | null }> {
  const started = performance.now();
  const accessIndex = query.readsAccessIndex ? await engine.accessIndex.span() : null;
  const prepared = prepareParams(query, params, {
    catalogKey: DEMO_CATALOG_KEY,
    maxDays: QUERY_MAX_DAYS,
    defaults: DEFAULTS,
    source: 'form',
    pseudonym: BENCH_KEYS.pseudonym,
    accessIndex,
  });
  const execution = await engine.execute(engineRequest(query, prepared));
  let rows = 0;
  for await (const batch of execution.batches) rows += batch.length;
  const stats = await execution.stats();
  return { ms: round(performance.now() - started, 1), rows, bytesScanned: stats.bytesScanned, files: stats.filesScanned, scope: prepared.scope };
}

export type RunPlan = { runs: number; extraRunsBelowMs?: number };

/**
 * Runs a query `plan.runs` times, or once and then twice more only when the first run took less
 * than `extraRunsBelowMs` (long full-year queries are timed once).
 */
export async function timeQuery(
  engine: QueryEngine,
  query: SavedQuery,
  params: Record<string, string>,
  plan: RunPlan,
  eventsIn: (scope: { from: string; to: string } | null) => Promise<number>,
): Promise<QueryFigures> {
  const first = await runOnce(engine, query, params);
  const runs: QueryRun[] = [first];
  const wanted = plan.extraRunsBelowMs === undefined || first.ms < plan.extraRunsBelowMs ? plan.runs : 1;
  while (runs.length < wanted) {
    const next = await runOnce(engine, query, params);
    if (next.rows !== first.rows) throw new Error(`${query.id} returned ${first.rows} rows, then ${next.rows}`);
    runs.push(next);
  }
  const ms = median(runs.map((r) => r.ms));
  const events = await eventsIn(first.scope);
  return {
    ms,
    runsMs: runs.map((r) => r.ms),
    rows: first.rows,
    bytesScanned: first.bytesScanned,
    files: first.files,
    from: first.scope?.from ?? null,
    to: first.scope?.to ?? null,
    eventsInScope: events,
    eventsPerSecond: perSecond(events, ms / 1000),
  };
}
