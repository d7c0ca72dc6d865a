import { createHash, randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalize } from '@/lib/canonical';
import type { Cell, EngineColumn } from '@/lib/engine/port';
import { batchLines, parseRowLines, rowLine } from '@/lib/storage/result-lines';
import { LocalResultStore } from '@/lib/storage/result-store';
import { SealedFileError } from '@/lib/storage/sealed-stream';
import { legacyDiff, legacyLines, legacyPage, legacyVerify, writeFrames, writeLegacyResult } from './support/legacy-results';
import { ACCESS_COLUMNS, MIXED_COLUMNS, accessRow, mixedRows } from './support/result-rows';

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** The SHA-256 the ledger records: the canonical column list and rows, one per line. */
function expectedSha(columns: EngineColumn[], rows: Cell[][]): string {
  const hash = createHash('sha256');
  hash.update(canonicalize(columns) + '\n');
  for (const row of rows) hash.update(canonicalize(row) + '\n');
  return hash.digest('hex');
}

async function store(results: LocalResultStore, columns: EngineColumn[], rows: Cell[][], batch = 997, runId: string = randomUUID()) {
  const writer = await results.createWriter(runId, columns);
  for (let i = 0; i < rows.length; i += batch) await writer.write(rows.slice(i, i + batch));
  return { runId, stored: await writer.finish() };
}

const filesIn = (dir: string) => fs.readdirSync(dir).sort();

describe('LocalResultStore', () => {
  let dir: string;
  let key: Buffer;
  let results: LocalResultStore;

  beforeEach(() => {
    dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'custos-results-')), 'results');
    key = randomBytes(32);
    results = new LocalResultStore(dir, key);
  });
  afterEach(() => fs.rmSync(path.dirname(dir), { recursive: true, force: true }));

  it('round-trips rows exactly (nulls, numbers, booleans, arrays, unicode) and records the SHA-256 of their canonical lines', async () => {
    const rows = mixedRows(5000);
    const writer = await results.createWriter(randomUUID(), MIXED_COLUMNS);
    await writer.write([]);
    const runId = randomUUID();
    const { stored } = await store(results, MIXED_COLUMNS, rows, 313, runId);
    await writer.abort();
    expect(stored).toEqual({ columns: MIXED_COLUMNS, rowCount: rows.length, sha256: expectedSha(MIXED_COLUMNS, rows), bytes: fs.statSync(path.join(dir, `${runId}.rows.sealed`)).size });
    expect(await results.verify(runId)).toEqual(stored);
    expect(await results.columns(runId)).toEqual(MIXED_COLUMNS);
    expect(await collect(results.rows(runId))).toEqual(rows);
  });

  it('stores an empty result, and one batch of one row', async () => {
    const empty = await store(results, MIXED_COLUMNS, []);
    expect(empty.stored).toMatchObject({ rowCount: 0, sha256: expectedSha(MIXED_COLUMNS, []) });
    expect(await results.verify(empty.runId)).toEqual(empty.stored);
    expect(await collect(results.rows(empty.runId))).toEqual([]);
    expect(await results.page(empty.runId, { offset: 0, limit: 10, sort: { column: 'name', direction: 'asc' } })).toEqual({ columns: MIXED_COLUMNS, rows: [], total: 0 });
    const one = await store(results, [{ name: 'x', type: 'varchar' }], [['ü']]);
    expect(await results.verify(one.runId)).toEqual(one.stored);
    expect(await collect(results.rows(one.runId))).toEqual([['ü']]);
  });

  it('writes its rows aside, sealed and owner-only, and renames them into place on finish', async () => {
    const runId = randomUUID();
    const writer = await results.createWriter(runId, ACCESS_COLUMNS);
    const rows = Array.from({ length: 6000 }, (_, i) => accessRow(i));
    await writer.write(rows);
    expect(results.exists(runId)).toBe(false);
    expect(filesIn(dir)).toEqual([`${runId}.rows.sealed.partial`]);
    await writer.finish();
    expect(filesIn(dir)).toEqual([`${runId}.meta.json`, `${runId}.rows.sealed`]);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    for (const name of filesIn(dir)) expect(fs.statSync(path.join(dir, name)).mode & 0o777).toBe(0o600);
    const sealed = fs.readFileSync(path.join(dir, `${runId}.rows.sealed`)).toString('latin1');
    expect(['event_time', 'RadiologyViewer', 'hospital3.example.org', 'healthimaging'].filter((s) => sealed.includes(s))).toEqual([]);
  });

  it('leaves nothing behind when aborted, and cannot finish a writer a bad row broke', async () => {
    const runId = randomUUID();
    const writer = await results.createWriter(runId, ACCESS_COLUMNS);
    await writer.write([accessRow(1)]);
    await writer.abort();
    await writer.abort();
    expect(filesIn(dir)).toEqual([]);
    const broken = await results.createWriter(runId, [{ name: 'n', type: 'double' }]);
    await expect(broken.write([[1], [Number.NaN]])).rejects.toThrow(/non-finite/);
    await expect(broken.finish()).rejects.toThrow(/non-finite/);
    await broken.abort();
    expect(filesIn(dir)).toEqual([]);
    expect(results.exists(runId)).toBe(false);
  });

  it('serializes rows as canonicalize() does, objects and non-finite numbers included', () => {
    const rows: unknown[][] = [
      ...mixedRows(500, 7),
      [{ b: 1, a: [2, { d: 3, c: null }] }, 'x'],
      [undefined, 1],
      [['a', 1]],
      [-0, 1e-7, 2 ** 60],
    ];
    for (const row of rows) expect(rowLine(row as Cell[])).toBe(canonicalize(row));
    expect(() => rowLine([Infinity])).toThrow(/non-finite/);
    expect(() => canonicalize([Infinity])).toThrow(/non-finite/);
    // a batch at once: the same bytes, whatever the text holds
    const lines = (batch: unknown[][]) => Buffer.from(batch.map((row) => canonicalize(row) + '\n').join(''), 'utf8');
    const batches: unknown[][][] = [
      mixedRows(700, 9),
      rows,
      [['a'], ['b']],
      [[], [], ['x']],
      [['é', 1], ['x],[y', 2], ['z', 3]],
      [['],['], ['],[']],
      [[['a'], ['b']], [['c'], []], [[], ['d']]],
      [['😀', null, true, -1.5], ['漢字', 0, false, 1e21]],
      [['only one']],
      [],
    ];
    for (const batch of batches) expect(batchLines(batch as Cell[][]).equals(lines(batch)), JSON.stringify(batch).slice(0, 80)).toBe(true);
    expect(() => batchLines([['a'], [Number.NaN]])).toThrow(/non-finite/);
  });

  it('reads rows a chunk at a time, each batch parsed whole, as rows() reads them one by one', async () => {
    const rows = [...mixedRows(6000, 5), ...Array.from({ length: 6000 }, (_, i) => accessRow(i))];
    const { runId } = await store(results, MIXED_COLUMNS, rows, 1000);
    const batches = await collect(results.rowBatches(runId));
    expect(batches.length).toBeGreaterThan(1); // several chunks of plaintext
    expect(batches.every((b) => b.length > 0)).toBe(true);
    expect(batches.flat()).toEqual(rows);
    expect(await collect(results.rows(runId))).toEqual(rows);
    const empty = await store(results, MIXED_COLUMNS, []);
    expect(await collect(results.rowBatches(empty.runId))).toEqual([]);
  });

  it('parses whole stored lines by one JSON.parse, and line by line where a line is empty', () => {
    const rows: Cell[][] = [['a],[b', null], [1.5, ['x', 'y,z']], ['line\nbreak "q"', true], ['😀', '\u2028']];
    const text = Buffer.from(rows.map((r) => JSON.stringify(r) + '\n').join(''), 'utf8');
    expect(parseRowLines(text)).toEqual(rows);
    expect(parseRowLines(Buffer.alloc(0))).toEqual([]);
    expect(parseRowLines(Buffer.from('\n'))).toEqual([]);
    expect(parseRowLines(Buffer.from('["a"]\n\n["b"]\n'))).toEqual([['a'], ['b']]);
    expect(parseRowLines(Buffer.from('\n["a"]\n'))).toEqual([['a']]);
    expect(() => parseRowLines(Buffer.from('["a"]\n["b"\n'))).toThrow(SyntaxError);
  });

  it('reads results the first version wrote, with the SHA-256 their runs recorded; and that version can read what it writes', async () => {
    const rows = mixedRows(9000, 3);
    const batches = Array.from({ length: Math.ceil(rows.length / 2048) }, (_, i) => rows.slice(i * 2048, (i + 1) * 2048));
    const legacyId = randomUUID();
    const legacy = writeLegacyResult(dir, key, legacyId, MIXED_COLUMNS, batches);
    expect(await results.verify(legacyId)).toMatchObject(legacy);
    expect(await collect(results.rows(legacyId))).toEqual(rows);
    expect((await results.page(legacyId, { offset: 8990, limit: 50 })).rows).toEqual(rows.slice(8990));
    // the other way round (a roll-back): the first reader reads today's files, to the same hash
    const { runId, stored } = await store(results, MIXED_COLUMNS, rows);
    expect(legacyVerify(path.join(dir, `${runId}.rows.sealed`), key, `result:${runId}`)).toEqual({ sha256: stored.sha256, rowCount: rows.length });
    expect(stored.sha256).toBe(legacy.sha256);
  });

  it('verifies a file whose chunks split a character exactly as the first version did', async () => {
    const runId = randomUUID();
    const text = Buffer.from(`${canonicalize([{ name: 'x', type: 'varchar' }])}\n["a😀b"]\n["é"]\n["end"]`, 'utf8');
    const cut = text.indexOf(Buffer.from('😀')) + 2;
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${runId}.rows.sealed`);
    writeFrames(file, key, `result:${runId}`, [text.subarray(0, cut), text.subarray(cut)]);
    fs.writeFileSync(path.join(dir, `${runId}.meta.json`), JSON.stringify({ rowCount: 3, sha256: '', bytes: 0 }));
    const legacy = legacyVerify(file, key, `result:${runId}`);
    expect(await results.verify(runId)).toMatchObject(legacy);
    // reading rows joins the character again (the first reader did not)
    expect(await collect(results.rows(runId))).toEqual([['a😀b'], ['é'], ['end']]);
    expect(legacyLines(file, key, `result:${runId}`)).toHaveLength(4);
  });

  it('pages through a result of many chunks from any offset', async () => {
    const rows = Array.from({ length: 12_000 }, (_, i) => accessRow(i));
    const { runId } = await store(results, ACCESS_COLUMNS, rows, 2048);
    expect(fs.statSync(path.join(dir, `${runId}.rows.sealed`)).size).toBeGreaterThan(400_000); // several 1 MiB chunks of plaintext
    for (const offset of [0, 1, 2047, 2048, 5000, 9999, 11_990, 11_999, 12_000, 50_000]) {
      const page = await results.page(runId, { offset, limit: 100 });
      expect(page.total).toBe(rows.length);
      expect(page.rows).toEqual(rows.slice(offset, offset + 100));
    }
    // again, backwards
    for (const offset of [11_950, 6000, 3, 0]) expect((await results.page(runId, { offset, limit: 1000 })).rows).toEqual(rows.slice(offset, offset + 1000));
    // another store (another process): the chunks' starts are found while reading
    const fresh = new LocalResultStore(dir, key);
    for (const offset of [5000, 11_990, 2048, 9000, 0]) expect((await fresh.page(runId, { offset, limit: 100 })).rows).toEqual(rows.slice(offset, offset + 100));
  });

  it('sorts pages as the first version did (typed, NULLs last, ties in stored order), spilling to sealed scratch files', async () => {
    const small = new LocalResultStore(dir, key, { sortBudgetBytes: 64 * 1024 });
    const rows = mixedRows(6000, 11);
    const { runId } = await store(small, MIXED_COLUMNS, rows);
    for (const column of MIXED_COLUMNS.map((c) => c.name)) {
      for (const direction of ['asc', 'desc'] as const) {
        for (const offset of [0, 137, 5990]) {
          const page = await small.page(runId, { offset, limit: 200, sort: { column, direction } });
          expect(page.rows, `${column} ${direction} @${offset}`).toEqual(legacyPage(MIXED_COLUMNS, rows, offset, 200, { column, direction }));
        }
      }
    }
    const names = filesIn(dir);
    expect(names.filter((n) => n.includes('.spill-') || n.endsWith('.partial'))).toEqual([]);
    const views = names.filter((n) => n.includes('.sorted-'));
    expect(views.length).toBeLessThanOrEqual(4);
    for (const name of views) {
      expect(fs.statSync(path.join(dir, name)).mode & 0o777).toBe(0o600);
      expect(fs.readFileSync(path.join(dir, name)).toString('latin1')).not.toContain('alice');
    }
    await expect(small.page(runId, { offset: 0, limit: 10, sort: { column: 'nope', direction: 'asc' } })).rejects.toThrow(/unknown column nope/);
    // more scratch runs than are merged at once: merged in passes, same order
    const tiny = new LocalResultStore(dir, key, { sortBudgetBytes: 4 * 1024 });
    const other = await store(tiny, MIXED_COLUMNS, rows);
    for (const offset of [0, 2999, 5900]) {
      const sort = { column: 'name', direction: 'desc' } as const;
      expect((await tiny.page(other.runId, { offset, limit: 100, sort })).rows).toEqual(legacyPage(MIXED_COLUMNS, rows, offset, 100, sort));
    }
    expect(filesIn(dir).filter((n) => n.includes('.spill-'))).toEqual([]);
  });

  it('sorts a result of many chunks with scratch runs, and a sorted copy follows its rows', async () => {
    const small = new LocalResultStore(dir, key, { sortBudgetBytes: 256 * 1024 });
    const rows = Array.from({ length: 10_000 }, (_, i) => accessRow((i * 7919) % 10_000));
    const runId = randomUUID();
    await store(small, ACCESS_COLUMNS, rows, 2048, runId);
    const sort = { column: 'principal', direction: 'desc' } as const;
    for (const offset of [0, 4321, 9900]) expect((await small.page(runId, { offset, limit: 100, sort })).rows).toEqual(legacyPage(ACCESS_COLUMNS, rows, offset, 100, sort));
    // the same run written again (a retried job): the sorted copy is made again
    const again = rows.slice(0, 500).reverse();
    await store(small, ACCESS_COLUMNS, again, 100, runId);
    expect((await small.page(runId, { offset: 0, limit: 1000, sort })).rows).toEqual(legacyPage(ACCESS_COLUMNS, again, 0, 1000, sort));
    // a damaged copy is made again from the rows
    const view = filesIn(dir).find((n) => n.includes('.sorted-'))!;
    fs.writeFileSync(path.join(dir, view), 'not sealed');
    expect((await small.page(runId, { offset: 10, limit: 10, sort })).rows).toEqual(legacyPage(ACCESS_COLUMNS, again, 10, 10, sort));
  });

  it('diffs results as multisets, as the first version did, in bounded memory', async () => {
    // budgets: all in memory; scratch runs; more scratch runs than are merged at once (merged in passes)
    for (const budget of [undefined, 32 * 1024, 2 * 1024]) {
      const s = new LocalResultStore(dir, key, { sortBudgetBytes: budget });
      const base = mixedRows(3000, 5);
      const before = [...base, ...base.slice(0, 40), ...mixedRows(300, 6)];
      const after = [...base.slice(100), ...base.slice(0, 20), ...mixedRows(250, 8), ...mixedRows(250, 8).slice(0, 5)];
      const a = await store(s, MIXED_COLUMNS, before);
      const b = await store(s, MIXED_COLUMNS, after);
      expect(await s.diff(a.runId, b.runId)).toEqual(legacyDiff(before, after));
      expect(await s.diff(b.runId, a.runId, 7)).toEqual(legacyDiff(after, before, 7));
      expect(await s.diff(a.runId, a.runId)).toEqual({ added: 0, removed: 0, addedSample: [], removedSample: [] });
      expect(filesIn(dir).filter((n) => n.includes('.spill-'))).toEqual([]);
    }
  });

  it('removes a result and everything made from it', async () => {
    const { runId } = await store(results, MIXED_COLUMNS, mixedRows(300));
    const other = await store(results, MIXED_COLUMNS, mixedRows(10));
    await results.page(runId, { offset: 0, limit: 5, sort: { column: 'name', direction: 'asc' } });
    expect(filesIn(dir).some((n) => n.startsWith(`${runId}.sorted-`))).toBe(true);
    await results.remove(runId);
    expect(results.exists(runId)).toBe(false);
    expect(filesIn(dir)).toEqual([`${other.runId}.meta.json`, `${other.runId}.rows.sealed`]);
    await results.remove(randomUUID());
  });

  it('refuses a result that was altered or cut off, wherever', async () => {
    const rows = Array.from({ length: 8000 }, (_, i) => accessRow(i));
    const { runId } = await store(results, ACCESS_COLUMNS, rows, 2048);
    const file = path.join(dir, `${runId}.rows.sealed`);
    const bytes = fs.readFileSync(file);
    const middle = Buffer.from(bytes);
    middle[Math.floor(bytes.length / 2)]! ^= 0x10;
    fs.writeFileSync(file, middle);
    await expect(collect(results.rows(runId))).rejects.toThrow(SealedFileError);
    await expect(results.verify(runId)).rejects.toThrow(/altered/);
    fs.writeFileSync(file, bytes.subarray(0, bytes.length - 20));
    await expect(results.verify(runId)).rejects.toThrow(/cut off/);
    fs.writeFileSync(file, Buffer.concat([bytes, Buffer.from([0])]));
    await expect(results.verify(runId)).rejects.toThrow(/altered|cut off/);
    fs.writeFileSync(file, bytes);
    expect((await results.verify(runId)).rowCount).toBe(rows.length);
  });
});
