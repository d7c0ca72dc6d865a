// What a prepared run asks of the engine: its statement and values, the tables and days it reads,
// and for a query that reads the access index, which days come from the index and which log
// partitions are still read raw. An estimate before the run asks for the same division of days.
import type { AccessIndexSpan, EngineRequest, EstimateRequest } from '@/lib/engine/port';
import type { ScanScope } from '@/lib/lake/tables';
import type { SavedQuery } from './definition';
import { rawLogScope, splitWindow, type IndexSplit } from './index-split';
import type { PreparedParams } from './params';

function indexRead(query: SavedQuery, split: IndexSplit, scope: ScanScope | null): EngineRequest['accessIndex'] {
  // A query that reads the logs for more than the index's complement keeps its whole window open.
  return { indexed: split.indexed, rawScope: query.logsOnlyBesideIndex ? rawLogScope(split) : scope };
}

export function engineRequest(query: SavedQuery, prepared: PreparedParams): Pick<EngineRequest, 'sql' | 'binds' | 'tables' | 'scope' | 'accessIndex'> {
  const base = { sql: query.sql, binds: prepared.binds, tables: query.tables, scope: prepared.scope };
  if (!prepared.split) return base;
  return { ...base, accessIndex: indexRead(query, prepared.split, prepared.scope) };
}

/** What a run of `query` over `scope` would read, given what the access index holds now (`span`). */
export function estimateRequest(query: SavedQuery, scope: ScanScope | null, span: AccessIndexSpan | null): EstimateRequest {
  const base = { tables: query.tables, scope };
  if (!query.readsAccessIndex || !scope) return base;
  return { ...base, accessIndex: indexRead(query, splitWindow(scope, span), scope) };
}
