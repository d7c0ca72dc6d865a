import type { ScanScope } from '@/lib/lake/tables';
import type { SavedQuery } from './definition';
import type { PreparedParams } from './params';

/**
 * The days a run's log coverage is stated for: its date range or, for a query without one (the
 * storage queries read the latest inventory report "as of" a day), the span of its date
 * parameters. Null when it has neither.
 */
export function coverageWindow(query: Pick<SavedQuery, 'params'>, prepared: Pick<PreparedParams, 'scope' | 'bound'>): ScanScope | null {
  if (prepared.scope) return prepared.scope;
  const days = query.params
    .filter((p) => p.type === 'date')
    .map((p) => prepared.bound[p.name])
    .filter((v): v is string => typeof v === 'string')
    .sort();
  return days.length > 0 ? { from: days[0]!, to: days.at(-1)! } : null;
}
