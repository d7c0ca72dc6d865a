import 'server-only';
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { canonicalize } from '@/lib/canonical';
import type { Cell, EngineColumn } from '@/lib/engine/port';
import type { PageRequest, ResultDiff, ResultPage, ResultStore, ResultWriter, StoredResult } from './port';
import { batchLines, compareCells, compareText, parseRowLines } from './result-lines';
import { externalSort, SORT_BUDGET_BYTES } from './result-sort';
import { createSealedWriter, readSealed, SealedFileError, sealedLineBlocks, sealedTextBlocks, validUtf8, type ChunkStart, type LineBlock, type SealedWriter } from './sealed-stream';
import { LruMap } from '@/lib/lru-map';

// A run's result rows beside the portal database, sealed at rest (AES-256-GCM, see
// sealed-stream.ts): the canonical column list, then one canonical JSON array per row.
// resultSha256 = SHA-256 of those lines as stored, so it can be recomputed from the rows at any time
// (and is, before every export). Files are owner-only; a result is written aside and renamed.
//
// Sorted pages read a sorted copy of the rows (`<run>.sorted-<column>-<asc|desc>.sealed`, sealed
// with the same key, built once in bounded memory by an external merge sort whose scratch runs are
// sealed too); diffs merge the two results sorted by row text the same way. Reading from row N
// resumes at the chunk holding it, from an index of chunk starts gathered while reading.

type Meta = { rowCount: number; sha256: string; bytes: number };

/** Serialized rows gathered before they are hashed and handed to the sealed writer. */
const FLUSH_CHARS = 256 * 1024;
/** Rows serialized at once (a batch is cut into slices of this many). */
const SLICE_ROWS = 512;
/** Sorted copies kept per run (the oldest beyond this are removed). */
const VIEWS_PER_RUN = 4;
/** Files whose chunk index and column list are remembered. */
const INDEX_CACHE = 64;

/** A sealed line file: a run's rows (after the column list) or a sorted copy of them (rows only). */
type LineFile = { file: string; context: string; header: boolean };

/** Where aligned chunks start and how many rows come before them; `columns` is the header's. */
type FileIndex = { stamp: string; starts: { start: ChunkStart; firstRow: number }[]; columns?: EngineColumn[] };

export class LocalResultStore implements ResultStore {
  private indexes = new LruMap<string, FileIndex>(INDEX_CACHE);
  private building = new Map<string, Promise<void>>();

  constructor(
    readonly dir: string,
    private readonly key: Buffer,
    private readonly options: { sortBudgetBytes?: number } = {},
  ) {}

  private file(runId: string, kind: 'rows' | 'meta') {
    return path.join(/*turbopackIgnore: true*/ this.dir, `${assertId(runId)}.${kind === 'rows' ? 'rows.sealed' : 'meta.json'}`);
  }

  private context(runId: string) {
    return `result:${runId}`;
  }

  private rowsFile(runId: string): LineFile {
    return { file: this.file(runId, 'rows'), context: this.context(runId), header: true };
  }

  exists(runId: string): boolean {
    return fs.existsSync(this.file(runId, 'meta')) && fs.existsSync(this.file(runId, 'rows'));
  }

  async createWriter(runId: string, columns: EngineColumn[]): Promise<ResultWriter> {
    await fs.promises.mkdir(this.dir, { recursive: true, mode: 0o700 });
    const rowsFile = this.file(runId, 'rows');
    const temp = `${rowsFile}.partial`;
    const sealed = createSealedWriter(temp, this.key, this.context(runId));
    const hash = createHash('sha256');
    let rowCount = 0;
    let state: 'open' | 'finishing' | 'aborted' = 'open';
    let failure: { error: unknown } | undefined; // a write that failed part-way: the file cannot be finished
    const usable = () => {
      if (failure) throw failure.error;
      if (state !== 'open') throw new Error(`the result writer is ${state === 'aborted' ? 'aborted' : 'finished'}`);
    };
    const rowsBeforeWrite: number[] = [];
    // hashes what it hands over, in order; synchronous up to the writer's back-pressure
    const hand = (bytes: Buffer, rows: number) => {
      rowsBeforeWrite.push(rowCount);
      rowCount += rows;
      hash.update(bytes);
      return sealed.write(bytes);
    };
    const header = hand(Buffer.from(canonicalize(columns) + '\n', 'utf8'), 0);
    header.catch(() => undefined); // a failure (the file could not be opened) is thrown by write() or finish()
    return {
      write: async (batch) => {
        usable();
        const handed: Promise<void>[] = [header];
        try {
          for (let i = 0; i < batch.length; i += SLICE_ROWS) {
            const slice = i === 0 && batch.length <= SLICE_ROWS ? batch : batch.slice(i, i + SLICE_ROWS);
            handed.push(hand(batchLines(slice), slice.length));
          }
          await Promise.all(handed);
        } catch (error) {
          failure = { error };
          throw error;
        }
      },
      finish: async () => {
        usable();
        state = 'finishing';
        await header;
        const bytes = await sealed.finish();
        const sha256 = hash.digest('hex');
        await this.forgetDerived(runId);
        await fs.promises.rename(temp, rowsFile);
        await writeAside(this.file(runId, 'meta'), JSON.stringify({ rowCount, sha256, bytes } satisfies Meta));
        await syncDirectory(this.dir);
        await this.remember(this.rowsFile(runId), sealed, rowsBeforeWrite, columns);
        return { columns, rowCount, sha256, bytes };
      },
      abort: async () => {
        if (state === 'aborted') return;
        state = 'aborted';
        await sealed.abort(); // the file aside, if not renamed yet
      },
    };
  }

  private async meta(runId: string): Promise<Meta> {
    return JSON.parse(await fs.promises.readFile(this.file(runId, 'meta'), 'utf8')) as Meta;
  }

  /** The remembered index of `source`, reset when the file changed. */
  private async indexOf(source: LineFile): Promise<FileIndex> {
    const stat = await fs.promises.stat(source.file);
    const stamp = `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
    let index = this.indexes.get(source.file);
    if (index?.stamp !== stamp) {
      index = { stamp, starts: [] };
      this.indexes.set(source.file, index);
    }
    return index;
  }

  /** The index of a file just written: where its chunks start and how many rows come before each. */
  private async remember(source: LineFile, writer: SealedWriter, rowsBeforeWrite: number[], columns?: EngineColumn[]) {
    const index = await this.indexOf(source);
    index.columns ??= columns;
    if (index.starts.length > 0) return;
    for (const { index: chunk, position, writesBefore } of writer.chunks()) {
      // the first chunk holds the column list: reading from row 0 starts at the file's beginning
      if (chunk > 0 && writesBefore < rowsBeforeWrite.length) index.starts.push({ start: { index: chunk, position }, firstRow: rowsBeforeWrite[writesBefore]! });
    }
  }

  async columns(runId: string): Promise<EngineColumn[]> {
    const source = this.rowsFile(runId);
    const index = await this.indexOf(source);
    if (index.columns) return index.columns;
    for await (const block of sealedLineBlocks(source.file, this.key, source.context)) {
      if (block.lines.length === 0) continue;
      index.columns = JSON.parse(block.lines[0]!) as EngineColumn[];
      return index.columns;
    }
    throw new Error(`result ${runId} holds no column list`);
  }

  /** The row lines of a file (the column list and empty lines left out), a chunk at a time. */
  private async *rowLines(source: LineFile): AsyncGenerator<string[]> {
    let header = source.header;
    for await (const block of sealedLineBlocks(source.file, this.key, source.context)) {
      let lines = block.lines;
      if (header && lines.length > 0) {
        header = false;
        lines = lines.slice(1);
      }
      yield lines.includes('') ? lines.filter((line) => line !== '') : lines;
    }
  }

  async *rows(runId: string): AsyncGenerator<Cell[]> {
    for await (const batch of this.rowBatches(runId)) yield* batch;
  }

  async *rowBatches(runId: string): AsyncGenerator<Cell[][]> {
    for await (const lines of this.rowLineBlocks(runId)) yield parseRowLines(lines);
  }

  async *rowLineBlocks(runId: string): AsyncGenerator<Buffer> {
    const source = this.rowsFile(runId);
    let header = source.header;
    for await (const block of sealedTextBlocks(source.file, this.key, source.context)) {
      let text = block.text;
      if (header && text.length > 0) {
        header = false;
        text = text.subarray(text.indexOf(10) + 1);
      }
      if (text.length > 0) yield text;
    }
  }

  /** Recomputes the SHA-256 of the stored lines (the header included), as the ledger recorded it. */
  async verify(runId: string): Promise<StoredResult> {
    const source = this.rowsFile(runId);
    const hash = createHash('sha256');
    let headLine = Buffer.alloc(0);
    let lines = 0;
    let head: Buffer[] | null = []; // the first line's bytes, until it is complete
    let endsWithNewline = true;
    for await (const plain of readSealed(source.file, this.key, source.context)) {
      // the ledger's hash is over the lines as text, and valid UTF-8 reads back byte for byte
      if (!validUtf8(plain)) return this.verifyAsText(runId);
      if (plain.length === 0) continue;
      hash.update(plain);
      let at = plain.indexOf(10);
      if (head && at < 0) head.push(plain);
      else if (head) {
        headLine = Buffer.concat([...head, plain.subarray(0, at)]);
        head = null;
      }
      for (; at >= 0; at = plain.indexOf(10, at + 1)) lines++;
      endsWithNewline = plain[plain.length - 1] === 10;
    }
    if (!endsWithNewline) {
      // the last line had no newline: the lines were hashed each with one
      hash.update('\n');
      lines++;
    }
    if (head) headLine = Buffer.concat(head);
    const columns = lines > 0 ? (JSON.parse(headLine.toString('utf8')) as EngineColumn[]) : [];
    const { bytes } = await this.meta(runId);
    return { columns, rowCount: Math.max(0, lines - 1), sha256: hash.digest('hex'), bytes };
  }

  /** verify() as the first version read the file: chunk by chunk as text, a line at a time. */
  private async verifyAsText(runId: string): Promise<StoredResult> {
    const source = this.rowsFile(runId);
    const hash = createHash('sha256');
    let columns: EngineColumn[] = [];
    let rowCount = -1;
    const line = (text: string) => {
      if (rowCount < 0) columns = JSON.parse(text) as EngineColumn[];
      hash.update(text + '\n');
      rowCount++;
    };
    let rest = '';
    for await (const plain of readSealed(source.file, this.key, source.context)) {
      const split = (rest + plain.toString('utf8')).split('\n');
      rest = split.pop()!;
      split.forEach(line);
    }
    if (rest) line(rest);
    const { bytes } = await this.meta(runId);
    return { columns, rowCount: Math.max(0, rowCount), sha256: hash.digest('hex'), bytes };
  }

  /** One page, optionally sorted by one column (numbers by value, text by code point; NULLs last; ties in stored order). */
  async page(runId: string, request: PageRequest): Promise<ResultPage> {
    const columns = await this.columns(runId);
    const { rowCount } = await this.meta(runId);
    const limit = Math.max(1, Math.min(1000, Math.floor(request.limit)));
    const offset = Math.max(0, Math.floor(request.offset));
    let lines: string[];
    if (request.sort) {
      const index = columns.findIndex((c) => c.name === request.sort!.column);
      if (index < 0) throw new Error(`unknown column ${request.sort.column}`);
      lines = await this.sortedLines(runId, columns, index, request.sort.direction, offset, limit);
    } else {
      lines = offset < rowCount ? await this.linesAt(this.rowsFile(runId), offset, Math.min(limit, rowCount - offset)) : [];
    }
    return { columns, rows: lines.map((line) => JSON.parse(line) as Cell[]), total: rowCount };
  }

  /** Row lines [from, from + count) of a file, resuming at the indexed chunk nearest before `from`. */
  private async linesAt(source: LineFile, from: number, count: number): Promise<string[]> {
    const index = await this.indexOf(source);
    let entry: FileIndex['starts'][number] | undefined;
    for (const start of index.starts) {
      if (start.firstRow > from) break;
      entry = start;
    }
    let row = entry?.firstRow ?? 0;
    let header = entry ? false : source.header;
    const out: string[] = [];
    const blocks: AsyncGenerator<LineBlock> = sealedLineBlocks(source.file, this.key, source.context, entry?.start);
    for await (const block of blocks) {
      const known = index.starts.at(-1)?.start.index ?? 0;
      if (block.aligned && !header && block.start.index > known) index.starts.push({ start: block.start, firstRow: row });
      for (const line of block.lines) {
        if (header) {
          header = false;
          continue;
        }
        if (!line) continue;
        if (row >= from && row < from + count) out.push(line);
        row++;
      }
      if (row >= from + count) break;
    }
    return out;
  }

  private async sortedLines(runId: string, columns: EngineColumn[], index: number, direction: 'asc' | 'desc', offset: number, limit: number) {
    const view: LineFile = {
      file: path.join(/*turbopackIgnore: true*/ this.dir, `${assertId(runId)}.sorted-${index}-${direction}.sealed`),
      context: `result-sorted:${runId}:${index}:${direction}`,
      header: false,
    };
    await this.sortedView(runId, columns, index, direction, view);
    try {
      return await this.linesAt(view, offset, limit);
    } catch (error) {
      if (!(error instanceof SealedFileError) && (error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      // a copy damaged (a crash while it was renamed) or removed meanwhile (by another process): made again from the rows
      await fs.promises.rm(view.file, { force: true });
      await this.sortedView(runId, columns, index, direction, view);
      return this.linesAt(view, offset, limit);
    }
  }

  /** Makes the sorted copy unless one newer than the rows exists (one build at a time per copy). */
  private async sortedView(runId: string, columns: EngineColumn[], index: number, direction: 'asc' | 'desc', view: LineFile): Promise<void> {
    const rows = this.rowsFile(runId);
    for (;;) {
      const running = this.building.get(view.file);
      if (!running) break;
      await running.catch(() => undefined);
    }
    const [copy, original] = await Promise.all([fs.promises.stat(view.file).catch(() => null), fs.promises.stat(rows.file)]);
    if (copy && copy.mtimeMs >= original.mtimeMs) return;
    const build = this.buildSortedView(runId, rows, columns, index, direction, view);
    this.building.set(view.file, build);
    try {
      await build;
    } finally {
      this.building.delete(view.file);
    }
  }

  private async buildSortedView(runId: string, rows: LineFile, columns: EngineColumn[], index: number, direction: 'asc' | 'desc', view: LineFile) {
    type Item = { key: Cell; rn: number; line: string };
    const integer = ['bigint', 'integer'].includes(columns[index]?.type ?? '');
    const sign = direction === 'desc' ? -1 : 1;
    const rowLines = this.rowLines(rows);
    const items = (async function* () {
      let rn = 0;
      for await (const lines of rowLines) yield lines.map((line): Item => ({ key: (JSON.parse(line) as Cell[])[index] ?? null, rn: rn++, line }));
    })();
    const sorted = externalSort<Item>(items, {
      compare(a, b) {
        const x = a.key;
        const y = b.key;
        if (x === null || y === null) return x === y ? a.rn - b.rn : x === null ? 1 : -1;
        const c = compareCells(x, y, integer);
        return c === 0 ? a.rn - b.rn : sign * c;
      },
      size: (item) => item.line.length,
      encode: (item) => `${JSON.stringify(item.key)}\t${item.rn}\t${item.line}`,
      decode(text) {
        const a = text.indexOf('\t');
        const b = text.indexOf('\t', a + 1);
        return { key: JSON.parse(text.slice(0, a)) as Cell, rn: Number(text.slice(a + 1, b)), line: text.slice(b + 1) };
      },
      dir: this.dir,
      prefix: runId,
      budgetBytes: this.options.sortBudgetBytes,
    });
    const written = await writeLines(view, this.key, mapBatches(sorted, (item) => item.line));
    await this.remember(view, written.writer, written.rowsBeforeWrite);
    await this.keepNewestViews(runId);
  }

  /** Removes the sorted copies of a run beyond the newest VIEWS_PER_RUN. */
  private async keepNewestViews(runId: string) {
    const views = (await this.filesOf(runId)).filter((name) => /\.sorted-\d+-(asc|desc)\.sealed$/.test(name));
    if (views.length <= VIEWS_PER_RUN) return;
    const dated = await Promise.all(
      views.map(async (name) => ({ name, mtime: (await fs.promises.stat(path.join(/*turbopackIgnore: true*/ this.dir, name)).catch(() => null))?.mtimeMs ?? 0 })),
    );
    dated.sort((a, b) => b.mtime - a.mtime);
    for (const { name } of dated.slice(VIEWS_PER_RUN)) await fs.promises.rm(path.join(/*turbopackIgnore: true*/ this.dir, name), { force: true });
  }

  /** Rows in one result and not the other, as multisets (a row twice in A and once in B is added once). */
  async diff(before: string, after: string, sampleSize = 200): Promise<ResultDiff> {
    // both results sorted by row text, then walked side by side: equal rows pair off, and the
    // first rows left over on either side are the smallest, the sample
    const sorted = (runId: string) =>
      new LineCursor(
        externalSort<string>(this.rowLines(this.rowsFile(runId)), {
          compare: compareText,
          size: (line) => line.length,
          encode: (line) => line,
          decode: (line) => line,
          dir: this.dir,
          prefix: assertId(after),
          // two sorts are held at once
          budgetBytes: (this.options.sortBudgetBytes ?? SORT_BUDGET_BYTES) / 2,
        }),
      );
    const a = sorted(before);
    const b = sorted(after);
    try {
      const added: string[] = [];
      const removed: string[] = [];
      let addedCount = 0;
      let removedCount = 0;
      await a.fill();
      await b.fill();
      for (;;) {
        const x = a.head;
        const y = b.head;
        if (x === undefined && y === undefined) break;
        const c = x === undefined ? 1 : y === undefined ? -1 : compareText(x, y);
        if (c <= 0) {
          if (c < 0 && removedCount++ < sampleSize) removed.push(x!);
          if (!a.step()) await a.fill();
        }
        if (c >= 0) {
          if (c > 0 && addedCount++ < sampleSize) added.push(y!);
          if (!b.step()) await b.fill();
        }
      }
      const parse = (lines: string[]) => lines.map((line) => JSON.parse(line) as Cell[]);
      return { added: addedCount, removed: removedCount, addedSample: parse(added), removedSample: parse(removed) };
    } finally {
      await a.close();
      await b.close();
    }
  }

  async remove(runId: string): Promise<void> {
    await fs.promises.rm(this.file(runId, 'rows'), { force: true });
    await fs.promises.rm(this.file(runId, 'meta'), { force: true });
    await this.forgetDerived(runId, true);
  }

  /** Removes what was derived from a run's rows (sorted copies, scratch files; with `all`, whatever else is left) and forgets its indexes. */
  private async forgetDerived(runId: string, all = false) {
    const own = [this.file(runId, 'rows'), this.file(runId, 'meta')].map((file) => path.basename(file));
    for (const name of await this.filesOf(runId)) {
      if (!all && own.some((kept) => name === kept || name === `${kept}.partial`)) continue;
      await fs.promises.rm(path.join(/*turbopackIgnore: true*/ this.dir, name), { force: true });
    }
    for (const file of this.indexes.keys()) if (path.basename(file).startsWith(`${runId}.`)) this.indexes.delete(file);
  }

  private async filesOf(runId: string): Promise<string[]> {
    const prefix = `${assertId(runId)}.`;
    const names = await fs.promises.readdir(this.dir).catch(() => [] as string[]);
    return names.filter((name) => name.startsWith(prefix));
  }
}

/** Sorted lines a batch at a time, read one by one without an await per line. */
class LineCursor {
  private items: string[] = [];
  private at = 0;
  constructor(private readonly batches: AsyncGenerator<string[]>) {}
  /** The current line; undefined at the end. */
  get head(): string | undefined {
    return this.items[this.at];
  }
  /** Moves on; false when the batch is used up (then fill()). */
  step(): boolean {
    return ++this.at < this.items.length;
  }
  async fill(): Promise<void> {
    while (this.at >= this.items.length) {
      const next = await this.batches.next();
      if (next.done) return;
      this.items = next.value;
      this.at = 0;
    }
  }
  async close() {
    await this.batches.return(undefined);
  }
}

async function* mapBatches<T>(batches: AsyncIterable<T[]>, line: (item: T) => string): AsyncGenerator<string[]> {
  for await (const batch of batches) yield batch.map(line);
}

/** Writes lines (given in batches) to a sealed file aside, then renames it into place. */
async function writeLines(target: LineFile, key: Buffer, batches: AsyncIterable<string[]>) {
  // another process may be making the same copy: each writes its own file aside, the last rename wins
  const temp = `${target.file}.${randomUUID()}.partial`;
  // a copy made again from the rows whenever it is lost: no fsync
  const writer = createSealedWriter(temp, key, target.context, { sync: false });
  const rowsBeforeWrite: number[] = [];
  let rows = 0;
  try {
    let text = '';
    let lines = 0;
    const flush = async () => {
      rowsBeforeWrite.push(rows);
      rows += lines;
      lines = 0;
      await writer.write(text);
      text = '';
    };
    for await (const batch of batches) {
      for (const line of batch) {
        text += line + '\n';
        lines++;
        if (text.length >= FLUSH_CHARS) await flush();
      }
    }
    if (text) await flush();
    await writer.finish();
  } catch (error) {
    await writer.abort();
    throw error;
  }
  await fs.promises.rename(temp, target.file);
  return { writer, rowsBeforeWrite };
}

/** Writes a small file aside (owner-only, flushed to disk) and renames it into place. */
async function writeAside(file: string, text: string): Promise<void> {
  const temp = `${file}.partial`;
  const handle = await fs.promises.open(temp, 'w', 0o600);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.promises.rename(temp, file);
}

/** Makes renames in `dir` durable (a no-op where directories cannot be opened for it). */
async function syncDirectory(dir: string): Promise<void> {
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await fs.promises.open(dir, 'r');
    await handle.sync();
  } catch {
    // not supported on this platform
  } finally {
    await handle?.close();
  }
}

function assertId(runId: string): string {
  if (!/^[0-9a-f-]{36}$/.test(runId)) throw new Error('invalid run id');
  return runId;
}
