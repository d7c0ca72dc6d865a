// Result columns as people read them: a label, a description for the tooltip, how the values are
// shown, and which columns come first. Names stay as the engine returned them (exports use them).
import type { EngineColumn } from '@/lib/engine/port';
import type { ColumnKind, ColumnMeta } from './definition';

export type ResultColumn = EngineColumn & {
  /** Position of the column's value in each row. */
  index: number;
  label: string;
  description: string | null;
  kind: ColumnKind;
  /** Among the columns that answer the question (shown first). */
  primary: boolean;
  /** Position in each row of the value shown when this one is empty. */
  fallback: number | null;
};

const UPPER = new Set(['arn', 'id', 'ip', 'kms', 'mrn', 'uid', 'url', 'usd', 'utc', 'dt', 's3', 'iam', 'sql']);

/** "source_ip" → "Source IP", "study_instance_uid" → "Study instance UID". */
export function humanise(name: string): string {
  const words = name.split(/[_\s]+/).filter(Boolean);
  if (words.length === 0) return name;
  return words
    .map((w, i) => (UPPER.has(w.toLowerCase()) ? w.toUpperCase() : i === 0 ? w[0]!.toUpperCase() + w.slice(1) : w.toLowerCase()))
    .join(' ');
}

function kindOfType(type: EngineColumn['type']): ColumnKind {
  switch (type) {
    case 'bigint':
    case 'integer':
    case 'double':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'date':
      return 'date';
    case 'timestamp':
      return 'time';
    default:
      return 'text';
  }
}

/**
 * The engine's columns described by the saved query's metadata, in the order the table shows them:
 * columns with a priority first (1 first), then the others in SELECT order. A column the metadata
 * does not know (a result recorded before the query changed) gets a humanised name.
 */
export function describeColumns(meta: readonly ColumnMeta[] | undefined, columns: readonly EngineColumn[]): ResultColumn[] {
  const byName = new Map((meta ?? []).map((m) => [m.name, m]));
  const described: ResultColumn[] = columns.map((c, index) => {
    const m = byName.get(c.name);
    const fallback = m?.fallback ? columns.findIndex((o) => o.name === m.fallback) : -1;
    return {
      name: c.name,
      type: c.type,
      index,
      label: m?.label ?? humanise(c.name),
      description: m?.description ?? null,
      kind: m?.kind ?? kindOfType(c.type),
      primary: m?.priority !== undefined,
      fallback: fallback >= 0 ? fallback : null,
    };
  });
  const priority = (c: ResultColumn) => byName.get(c.name)?.priority ?? Number.POSITIVE_INFINITY;
  return described.sort((a, b) => priority(a) - priority(b) || a.index - b.index);
}
