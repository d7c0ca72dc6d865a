import 'server-only';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { canonicalize } from '@/lib/canonical';
import type { Cell, EngineColumn } from '@/lib/engine/port';
import type { PageRequest, ResultDiff, ResultPage, ResultStore, ResultWriter, StoredResult } from './port';
import { createSealedWriter, sealedLines } from './sealed-stream';

// A run's result rows beside the portal database, sealed at rest (AES-256-GCM, see
// sealed-stream.ts): the canonical column list, then one canonical JSON array per row.
// resultSha256 = SHA-256 of those lines as stored, so it can be recomputed from the rows at any time
// (and is, before every export). Files are owner-only.

type Meta = { rowCount: number; sha256: string; bytes: number };

const SORT_CACHE = 8;

export class LocalResultStore implements ResultStore {
  private sorted = new Map<string, number[]>();

  constructor(
    readonly dir: string,
    private readonly key: Buffer,
  ) {}

  private file(runId: string, kind: 'rows' | 'meta') {
    return path.join(/*turbopackIgnore: true*/ this.dir, `${assertId(runId)}.${kind === 'rows' ? 'rows.sealed' : 'meta.json'}`);
  }

  private context(runId: string) {
    return `result:${runId}`;
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
    const header = canonicalize(columns) + '\n';
    hash.update(header);
    await sealed.write(header);
    let rowCount = 0;
    let failed = false;
    return {
      write: async (batch) => {
        let text = '';
        for (const row of batch) text += canonicalize(row) + '\n';
        rowCount += batch.length;
        hash.update(text);
        await sealed.write(text);
      },
      finish: async () => {
        const bytes = await sealed.finish();
        const sha256 = hash.digest('hex');
        await fs.promises.rename(temp, rowsFile);
        await fs.promises.writeFile(this.file(runId, 'meta'), JSON.stringify({ rowCount, sha256, bytes } satisfies Meta), { mode: 0o600 });
        return { columns, rowCount, sha256, bytes };
      },
      abort: async () => {
        if (failed) return;
        failed = true;
        await sealed.abort();
      },
    };
  }

  private async meta(runId: string): Promise<Meta> {
    return JSON.parse(await fs.promises.readFile(this.file(runId, 'meta'), 'utf8')) as Meta;
  }

  private async *lines(runId: string): AsyncGenerator<string> {
    yield* sealedLines(this.file(runId, 'rows'), this.key, this.context(runId));
  }

  async columns(runId: string): Promise<EngineColumn[]> {
    for await (const line of this.lines(runId)) return JSON.parse(line) as EngineColumn[];
    throw new Error(`result ${runId} holds no column list`);
  }

  async *rows(runId: string): AsyncGenerator<Cell[]> {
    let header = true;
    for await (const line of this.lines(runId)) {
      if (header) header = false;
      else if (line) yield JSON.parse(line) as Cell[];
    }
  }

  /** Recomputes the SHA-256 of the stored lines (the header included), as the ledger recorded it. */
  async verify(runId: string): Promise<StoredResult> {
    const hash = createHash('sha256');
    let columns: EngineColumn[] = [];
    let rowCount = -1;
    for await (const line of this.lines(runId)) {
      if (rowCount < 0) columns = JSON.parse(line) as EngineColumn[];
      hash.update(line + '\n');
      rowCount++;
    }
    const { bytes } = await this.meta(runId);
    return { columns, rowCount: Math.max(0, rowCount), sha256: hash.digest('hex'), bytes };
  }

  /** One page, optionally sorted by one column (numbers by value, text by code point; NULLs last; ties in stored order). */
  async page(runId: string, request: PageRequest): Promise<ResultPage> {
    const columns = await this.columns(runId);
    const { rowCount } = await this.meta(runId);
    const limit = Math.max(1, Math.min(1000, Math.floor(request.limit)));
    const offset = Math.max(0, Math.floor(request.offset));
    let wanted: number[];
    if (request.sort) {
      const index = columns.findIndex((c) => c.name === request.sort!.column);
      if (index < 0) throw new Error(`unknown column ${request.sort.column}`);
      wanted = (await this.sortedOrder(runId, index, request.sort.direction)).slice(offset, offset + limit);
    } else {
      wanted = Array.from({ length: Math.max(0, Math.min(limit, rowCount - offset)) }, (_, i) => offset + i);
    }
    const positions = new Map(wanted.map((rn, i) => [rn, i]));
    const rows: Cell[][] = new Array(wanted.length);
    const last = Math.max(-1, ...wanted);
    let rn = 0;
    for await (const row of this.rows(runId)) {
      const at = positions.get(rn);
      if (at !== undefined) rows[at] = row;
      if (++rn > last) break;
    }
    return { columns, rows, total: rowCount };
  }

  private async sortedOrder(runId: string, index: number, direction: 'asc' | 'desc'): Promise<number[]> {
    const cacheKey = `${runId}:${index}:${direction}`;
    const cached = this.sorted.get(cacheKey);
    if (cached) return cached;
    const integer = ['bigint', 'integer'].includes((await this.columns(runId))[index]?.type ?? '');
    const keys: Cell[] = [];
    for await (const row of this.rows(runId)) keys.push(row[index] ?? null);
    const order = keys.map((_, i) => i);
    const sign = direction === 'desc' ? -1 : 1;
    order.sort((a, b) => {
      const x = keys[a]!;
      const y = keys[b]!;
      if (x === null || y === null) return x === y ? a - b : x === null ? 1 : -1;
      const c = compareCells(x, y, integer);
      return c === 0 ? a - b : sign * c;
    });
    this.sorted.set(cacheKey, order);
    if (this.sorted.size > SORT_CACHE) this.sorted.delete(this.sorted.keys().next().value!);
    return order;
  }

  /** Rows in one result and not the other, as multisets (a row twice in A and once in B is added once). */
  async diff(before: string, after: string, sampleSize = 200): Promise<ResultDiff> {
    const counts = new Map<string, number>();
    for await (const line of this.bodyLines(before)) counts.set(line, (counts.get(line) ?? 0) + 1);
    const added: string[] = [];
    for await (const line of this.bodyLines(after)) {
      const n = counts.get(line) ?? 0;
      if (n > 0) counts.set(line, n - 1);
      else added.push(line);
    }
    const removed: string[] = [];
    for (const [line, n] of counts) for (let i = 0; i < n; i++) removed.push(line);
    const sample = (lines: string[]) => [...lines].sort().slice(0, sampleSize).map((l) => JSON.parse(l) as Cell[]);
    return { added: added.length, removed: removed.length, addedSample: sample(added), removedSample: sample(removed) };
  }

  private async *bodyLines(runId: string): AsyncGenerator<string> {
    let header = true;
    for await (const line of this.lines(runId)) {
      if (header) header = false;
      else if (line) yield line;
    }
  }

  async remove(runId: string): Promise<void> {
    await fs.promises.rm(this.file(runId, 'rows'), { force: true });
    await fs.promises.rm(this.file(runId, 'meta'), { force: true });
    for (const key of [...this.sorted.keys()]) if (key.startsWith(`${runId}:`)) this.sorted.delete(key);
  }
}

function compareCells(x: Exclude<Cell, null>, y: Exclude<Cell, null>, integer: boolean): number {
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  // integers beyond 2^53 are kept as text; they still sort by value
  if (integer && (typeof x === 'string' || typeof y === 'string')) {
    const a = BigInt(x as string | number);
    const b = BigInt(y as string | number);
    return a < b ? -1 : a > b ? 1 : 0;
  }
  const a = Array.isArray(x) ? x.join('\u0000') : String(x);
  const b = Array.isArray(y) ? y.join('\u0000') : String(y);
  return a < b ? -1 : a > b ? 1 : 0;
}

function assertId(runId: string): string {
  if (!/^[0-9a-f-]{36}$/.test(runId)) throw new Error('invalid run id');
  return runId;
}
