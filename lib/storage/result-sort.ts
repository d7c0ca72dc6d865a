import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createSealedWriter, sealedLineBlocks, type LineBlock } from './sealed-stream';

// An external merge sort in bounded memory, for sorted result pages and result diffs. Items are
// gathered into runs of about `budgetBytes`; a run that does not fit is sorted and spilled to a
// scratch file, sealed like a result (AES-256-GCM) but under a key drawn for this sort alone and
// never stored, owner-only, deleted when the sort ends (one a crash leaves behind stays unreadable).
// The spilled runs and the last run are then merged. The sort is stable: ties keep input order.
// Items come in and go out in batches (one await per batch, not per item).

export type SortSpec<T> = {
  compare(a: T, b: T): number;
  /** Roughly the memory an item holds, in bytes (its text length will do). */
  size(item: T): number;
  /** One line of text (no '\n') from which `decode` rebuilds the item. */
  encode(item: T): string;
  decode(line: string): T;
  /** Where scratch files go, and how their names start (a run id, so that removing the run removes them). */
  dir: string;
  prefix: string;
  budgetBytes?: number;
};

export const SORT_BUDGET_BYTES = 16 * 1024 * 1024;
/** Small scratch chunks: a run being merged holds about two of them. */
const SPILL_CHUNK = 128 * 1024;
/** Runs merged at once; more are first merged into fewer (memory stays bounded however many runs). */
const FAN_IN = 48;
const OUT_BATCH = 2048;
/** Per-item overhead beyond `size` (the object, its slot in the run). */
const ITEM_OVERHEAD = 64;

/** Items of `source` in `compare` order (stable), in batches, in bounded memory. */
export async function* externalSort<T>(source: AsyncIterable<T[]>, spec: SortSpec<T>): AsyncGenerator<T[]> {
  const budget = spec.budgetBytes ?? SORT_BUDGET_BYTES;
  const compare = (a: T, b: T) => spec.compare(a, b);
  const spills: string[] = [];
  const key = randomBytes(32);
  try {
    let run: T[] = [];
    let runBytes = 0;
    for await (const batch of source) {
      for (const item of batch) {
        run.push(item);
        runBytes += spec.size(item) + ITEM_OVERHEAD;
        if (runBytes >= budget) {
          // Array.prototype.sort is stable: equal items keep their input order
          spills.push(await spill(run.sort(compare), spec, key));
          run = [];
          runBytes = 0;
        }
      }
    }
    run.sort(compare);
    if (spills.length === 0) {
      for (let i = 0; i < run.length; i += OUT_BATCH) yield run.slice(i, i + OUT_BATCH);
      return;
    }
    // too many runs: the first ones merged into one (it keeps their place: ties keep input order)
    while (spills.length + 1 > FAN_IN) {
      const group = spills.slice(0, Math.min(FAN_IN, spills.length + 2 - FAN_IN));
      const merged = await spill(merge(group.map((file, order) => new SpillCursor(file, key, spec, order)), compare), spec, key);
      spills.splice(0, group.length, merged);
      await Promise.all(group.map((file) => fs.promises.rm(file, { force: true })));
    }
    const cursors: Cursor<T>[] = spills.map((file, order) => new SpillCursor(file, key, spec, order));
    cursors.push(new Cursor(run, spills.length));
    yield* merge(cursors, compare);
  } finally {
    await Promise.all(spills.map((file) => fs.promises.rm(file, { force: true })));
  }
}

/** Writes sorted items (an array, or batches) to a new scratch file. */
async function spill<T>(items: T[] | AsyncIterable<T[]>, spec: SortSpec<T>, key: Buffer): Promise<string> {
  const file = path.join(/*turbopackIgnore: true*/ spec.dir, `${spec.prefix}.spill-${randomUUID()}`);
  // scratch that dies with the sort: no fsync
  const writer = createSealedWriter(file, key, 'sort-spill', { chunkBytes: SPILL_CHUNK, sync: false });
  try {
    let text = '';
    for await (const batch of Array.isArray(items) ? [items] : items) {
      for (const item of batch) {
        text += spec.encode(item) + '\n';
        if (text.length >= SPILL_CHUNK) {
          await writer.write(text);
          text = '';
        }
      }
    }
    if (text) await writer.write(text);
    await writer.finish();
    return file;
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

/** A sorted run being merged: its items a batch at a time. */
class Cursor<T> {
  head!: T;
  protected at = 0;
  constructor(
    protected items: T[],
    /** Input order of the run, the tie-breaker between runs. */
    readonly order: number,
  ) {}
  /** Moves to the next item: true, false at the end, or a promise of either while the next batch is read. */
  advance(): boolean | Promise<boolean> {
    if (this.at >= this.items.length) return false;
    this.head = this.items[this.at++]!;
    return true;
  }
  async close(): Promise<void> {}
}

class SpillCursor<T> extends Cursor<T> {
  private readonly blocks: AsyncGenerator<LineBlock>;
  constructor(
    file: string,
    key: Buffer,
    private readonly spec: SortSpec<T>,
    order: number,
  ) {
    super([], order);
    // one chunk read ahead per run: memory stays bounded however many runs are merged
    this.blocks = sealedLineBlocks(file, key, 'sort-spill', undefined, 1);
  }
  override advance(): boolean | Promise<boolean> {
    return this.at < this.items.length ? super.advance() : this.refill();
  }
  private async refill(): Promise<boolean> {
    for (;;) {
      const next = await this.blocks.next();
      if (next.done) return false;
      if (next.value.lines.length === 0) continue;
      this.items = next.value.lines.map((line) => this.spec.decode(line));
      this.at = 0;
      return super.advance();
    }
  }
  override async close() {
    await this.blocks.return(undefined);
  }
}

/** k-way merge over a binary heap; ties go to the earlier run, which keeps the sort stable. */
async function* merge<T>(cursors: Cursor<T>[], compare: (a: T, b: T) => number): AsyncGenerator<T[]> {
  const before = (a: Cursor<T>, b: Cursor<T>) => {
    const c = compare(a.head, b.head);
    return c < 0 || (c === 0 && a.order < b.order);
  };
  const heap: Cursor<T>[] = [];
  try {
    for (const cursor of cursors) if (await cursor.advance()) heap.push(cursor);
    for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(heap, i, before);
    let out: T[] = [];
    while (heap.length > 0) {
      const top = heap[0]!;
      out.push(top.head);
      if (out.length >= OUT_BATCH) {
        yield out;
        out = [];
      }
      let more = top.advance();
      if (more !== true && more !== false) more = await more;
      if (!more) {
        const last = heap.pop()!;
        if (heap.length === 0) break;
        heap[0] = last;
      }
      siftDown(heap, 0, before);
    }
    if (out.length > 0) yield out;
  } finally {
    await Promise.all(cursors.map((cursor) => cursor.close()));
  }
}

function siftDown<T>(heap: T[], at: number, before: (a: T, b: T) => boolean) {
  const n = heap.length;
  for (;;) {
    const left = 2 * at + 1;
    if (left >= n) return;
    const right = left + 1;
    const child = right < n && before(heap[right]!, heap[left]!) ? right : left;
    if (!before(heap[child]!, heap[at]!)) return;
    [heap[child], heap[at]] = [heap[at]!, heap[child]!];
    at = child;
  }
}
