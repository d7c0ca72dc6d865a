// The order of rows inside a compacted partition (helps min/max pruning of the Parquet row groups).
import { tableColumns } from './read-sql';
import type { LakeTable } from './tables';

export const SORT_KEYS: Partial<Record<LakeTable, string[]>> = {
  cloudtrail_logs: ['eventsource', 'eventname', 'eventtime'],
  s3_access_logs: ['key', 'requestdatetime'],
  s3_inventory: ['key', 'version_id'],
};

export type SortKey = (string | null)[];

export type RowOrder = {
  /** The sort key of a row whose column values `value` gives. */
  keyOf(value: (column: string) => unknown): SortKey;
  compare(a: SortKey, b: SortKey): number;
};

/**
 * The ORDER BY of the table's sort keys in JavaScript: text in code point order (UTF-8 byte order,
 * as DuckDB compares VARCHAR), NULLs last. Exact only for text without surrogates, where UTF-16
 * code unit order is code point order; null when a key column is not text.
 */
export function rowOrder(table: LakeTable): RowOrder | null {
  const keys = SORT_KEYS[table];
  if (!keys) return null;
  const types = new Map(tableColumns(table).map((c) => [c.name, c.type]));
  if (!keys.every((k) => { const t = types.get(k); return t?.kind === 'primitive' && t.name === 'string'; })) return null;
  return {
    keyOf: (value) =>
      keys.map((k) => {
        const v = value(k);
        return typeof v === 'string' ? v : null;
      }),
    compare: (a, b) => {
      for (let i = 0; i < a.length; i++) {
        const x = a[i] ?? null;
        const y = b[i] ?? null;
        if (x === y) continue;
        if (x === null) return 1;
        if (y === null) return -1;
        return x < y ? -1 : 1;
      }
      return 0;
    },
  };
}
