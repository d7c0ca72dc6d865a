// How a run's window divides between the access index and the raw logs: the index holds every day
// up to its watermark, so a window reads the index for its days up to the watermark and the raw
// log tables for the days after it (the latest hours). Either part may be empty.
import { addDays } from '@/lib/days';
import type { AccessIndexSpan } from '@/lib/engine/port';
import type { ScanScope } from '@/lib/lake/tables';

export type IndexSplit = {
  /** Days read from the access index. */
  indexed: ScanScope | null;
  /** Days computed from the raw logs. */
  raw: ScanScope | null;
  /** The index's watermark when the run was prepared (null: nothing indexed). */
  indexThrough: string | null;
};

/** A window that starts before the index's first day is read raw whole: complete, only slower. */
export function splitWindow(window: ScanScope, span: AccessIndexSpan | null): IndexSplit {
  const indexedThrough = span && span.from <= window.from ? span.through : null;
  const indexThrough = span?.through ?? null;
  if (!indexedThrough || indexedThrough < window.from) return { indexed: null, raw: window, indexThrough };
  if (indexedThrough >= window.to) return { indexed: window, raw: null, indexThrough };
  return { indexed: { from: window.from, to: indexedThrough }, raw: { from: addDays(indexedThrough, 1), to: window.to }, indexThrough };
}

/**
 * The log partitions the raw part reads: its days, the day before (records a few minutes before
 * its first day pair up with those on it) and, as for every read, the next day (late delivery).
 */
export function rawLogScope(split: IndexSplit): ScanScope | null {
  return split.raw ? { from: addDays(split.raw.from, -1), to: split.raw.to } : null;
}
