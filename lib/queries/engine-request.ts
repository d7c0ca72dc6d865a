// What a prepared run asks of the engine: its statement and values, the tables and days it reads,
// and for a query that reads the access index, which days come from the index and which log
// partitions are still read raw.
import type { EngineRequest } from '@/lib/engine/port';
import type { SavedQuery } from './definition';
import { rawLogScope } from './index-split';
import type { PreparedParams } from './params';

export function engineRequest(query: SavedQuery, prepared: PreparedParams): Pick<EngineRequest, 'sql' | 'binds' | 'tables' | 'scope' | 'accessIndex'> {
  const base = { sql: query.sql, binds: prepared.binds, tables: query.tables, scope: prepared.scope };
  if (!prepared.split) return base;
  // A query that reads the logs for more than the index's complement keeps its whole window open.
  const rawScope = query.logsOnlyBesideIndex ? rawLogScope(prepared.split) : prepared.scope;
  return { ...base, accessIndex: { indexed: prepared.split.indexed, rawScope } };
}
