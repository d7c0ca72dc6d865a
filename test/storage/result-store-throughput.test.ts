import { createHash, randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalize } from '@/lib/canonical';
import type { Cell } from '@/lib/engine/port';
import { csvFromRowLines } from '@/lib/queries/csv-lines';
import { LocalResultStore } from '@/lib/storage/result-store';
import { ACCESS_COLUMNS, MIXED_COLUMNS, accessRow, mixedRows } from './support/result-rows';

// How fast the result store writes and reads rows shaped like patient-access-history's (15 text
// columns, about 450 bytes each as JSON), and how fast they stream out as CSV, on this machine.
// Reported, not asserted: timings depend on the machine and whatever else runs on it. What is
// asserted is that every row comes back exactly and the SHA-256 recomputed equals the writer's.
// CUSTOS_THROUGHPUT_ROWS sets the size (default 100,000, to keep the unit suite quick; the targets were set at 1,000,000).

const ROWS = Number(process.env.CUSTOS_THROUGHPUT_ROWS ?? 100_000);
const BATCH = 2048; // DuckDB's chunk size

/** Resident set size sampled every 10 ms while `fn` runs: the highest sample above the one before. */
async function measured<T>(label: string, rows: number, fn: () => Promise<T>): Promise<T> {
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  const started = performance.now();
  try {
    return await fn();
  } finally {
    const seconds = (performance.now() - started) / 1000;
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage().rss);
    const rate = Math.round(rows / seconds).toLocaleString('en-US');
    console.log(`${label.padEnd(34)} ${seconds.toFixed(2).padStart(6)} s ${rate.padStart(10)} rows/s   RSS +${Math.round((peak - before) / 1048576)} MiB`);
  }
}

describe(`result store throughput (${ROWS.toLocaleString('en-US')} rows)`, () => {
  let root: string;
  let results: LocalResultStore;
  const runId = randomUUID();
  let written: { sha256: string; rowCount: number };

  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-throughput-'));
    results = new LocalResultStore(path.join(root, 'results'), randomBytes(32));
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('writes, verifies, reads, pages, sorts and exports rows, every one of them back exactly', { timeout: 600_000 }, async () => {
    // the batches exist before the clock starts, as an engine's would
    const distinct = Array.from({ length: 16 }, (_, b) => Array.from({ length: BATCH }, (_, i) => accessRow(b * BATCH + i)));
    const rowAt = (n: number) => accessRow((Math.floor(n / BATCH) % 16) * BATCH + (n % BATCH));
    const expected = createHash('sha256').update(canonicalize(ACCESS_COLUMNS) + '\n');
    for (let n = 0; n < ROWS; n += BATCH) for (const row of distinct[(n / BATCH) % 16]!.slice(0, ROWS - n)) expected.update(canonicalize(row) + '\n');

    written = await measured('write (createWriter … finish)', ROWS, async () => {
      const writer = await results.createWriter(runId, ACCESS_COLUMNS);
      for (let n = 0; n < ROWS; n += BATCH) await writer.write(distinct[(n / BATCH) % 16]!.slice(0, ROWS - n));
      return writer.finish();
    });
    expect(written).toMatchObject({ rowCount: ROWS, sha256: expected.digest('hex') });

    const verified = await measured('verify (hash recomputed)', ROWS, () => results.verify(runId));
    expect(verified).toEqual({ ...written, columns: ACCESS_COLUMNS });

    const count = await measured('rows()', ROWS, async () => {
      let n = 0;
      for await (const row of results.rows(runId)) if (row.length === 15) n++;
      return n;
    });
    expect(count).toBe(ROWS);

    const batched = await measured('rowBatches()', ROWS, async () => {
      let n = 0;
      for await (const batch of results.rowBatches(runId)) n += batch.length;
      return n;
    });
    expect(batched).toBe(ROWS);

    // as export-run.ts streams a CSV download: the stored rows hashed again, then CSV straight from their lines
    const csv = await measured('CSV export (verify, csvFromRowLines)', ROWS, async () => {
      expect((await results.verify(runId)).sha256).toBe(written.sha256);
      let bytes = 0;
      for await (const chunk of csvFromRowLines(ACCESS_COLUMNS, results.rowLineBlocks(runId))) bytes += Buffer.byteLength(chunk);
      return bytes;
    });
    expect(csv).toBeGreaterThan(ROWS * 300);

    const last = await measured('page (last 50 rows)', ROWS, () => results.page(runId, { offset: ROWS - 50, limit: 50 }));
    expect(last.rows).toEqual(Array.from({ length: 50 }, (_, i) => rowAt(ROWS - 50 + i)));
    const sort = { column: 'event_id', direction: 'desc' } as const;
    const sorted = await measured('page sorted (first: sorted copy)', ROWS, () => results.page(runId, { offset: 100, limit: 50, sort }));
    const again = await measured('page sorted (again, far page)', ROWS, () => results.page(runId, { offset: ROWS - 100, limit: 50, sort }));
    expect(sorted.rows).toHaveLength(50);
    expect(again.rows).toHaveLength(50);
    const keys = [...sorted.rows, ...again.rows].map((row) => row[14] as string);
    expect(keys.slice(0, 50)).toEqual([...keys.slice(0, 50)].sort().reverse());

    const diff = await measured('diff (a result with itself)', ROWS, () => results.diff(runId, runId));
    expect(diff).toEqual({ added: 0, removed: 0, addedSample: [], removedSample: [] });

    let n = 0;
    for await (const row of results.rows(runId)) expect(row).toEqual(rowAt(n++));
    expect(n).toBe(ROWS);
  });

  it('round-trips every kind of cell exactly (nulls, numbers, booleans, arrays, unicode)', async () => {
    const rows: Cell[][] = mixedRows(20_000, 42);
    const id = randomUUID();
    const writer = await results.createWriter(id, MIXED_COLUMNS);
    for (let i = 0; i < rows.length; i += 1000) await writer.write(rows.slice(i, i + 1000));
    const stored = await writer.finish();
    expect(stored.rowCount).toBe(rows.length);
    expect((await results.verify(id)).sha256).toBe(stored.sha256);
    const back: Cell[][] = [];
    for await (const row of results.rows(id)) back.push(row);
    expect(back).toEqual(rows);
  });
});
