// The CSV export path measured on a large stored result, as a download runs it: the stored rows
// are verified against their SHA-256, then their stored lines come back through
// ResultStore.rowLineBlocks() and are written as CSV by the same csvFromRowLines() a download uses.
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { EngineRequest, QueryEngine } from '@/lib/engine/port';
import { csvFromRowLines } from '@/lib/queries/csv-lines';
import { LocalResultStore } from '@/lib/storage/result-store';
import { elapsedSeconds, perSecond, round } from './figures';
import type { RssSampler } from './rss-sampler';

export type ExportFigures = {
  shape: ExportShape;
  rows: number;
  columns: number;
  /** Hashing the stored rows again before streaming them, as a download does; included in `seconds`. */
  seconds: number;
  verifySeconds: number;
  rowsPerSecond: number;
  csvBytes: number;
  rssBeforeBytes: number;
  peakRssBytes: number;
  /**
   * Running the query and writing the result through ResultStore.createWriter: `seconds` end to end,
   * `writeSeconds` inside the writer (write() and finish()); rowsPerSecond is over writeSeconds, the
   * store's own rate, apart from the engine producing the rows.
   */
  store: { seconds: number; writeSeconds: number; rowsPerSecond: number; endToEndRowsPerSecond: number; bytes: number };
};

/**
 * What the exported rows are: `access` rows as the access queries return them (the access index's
 * 17 columns, about 400 bytes of CSV each), or `cloudtrail` records whole (32 columns, about 1.3 KB).
 */
export type ExportShape = 'access' | 'cloudtrail';

/**
 * The whole shape in `scope`, unbounded: the bench stops reading at the rows it wants. A LIMIT would
 * make DuckDB collect the rows before handing them over (an order-preserving limit: +700 MB for a
 * million access rows), which is the bench's way of making a large result, not the export's cost.
 */
function exportRequest(shape: ExportShape, scope: { from: string; to: string }, signal: AbortSignal): EngineRequest {
  if (shape === 'cloudtrail') return { sql: 'SELECT * FROM cloudtrail_logs', binds: [], tables: ['cloudtrail_logs'], scope, signal };
  return { sql: 'SELECT * FROM access_index', binds: [], tables: [], scope, accessIndex: { indexed: scope, rawScope: null }, signal };
}

/** Stores the first `rows` rows of `shape` in `scope` as a run result, then streams it out as CSV to /dev/null. */
export async function measureCsvExport(
  engine: QueryEngine,
  shape: ExportShape,
  scope: { from: string; to: string },
  rows: number,
  resultDir: string,
  sampler: RssSampler,
): Promise<ExportFigures> {
  const store = new LocalResultStore(resultDir, randomBytes(32));
  const runId = randomUUID();
  try {
    const storeStarted = performance.now();
    const enough = new AbortController();
    const execution = await engine.execute(exportRequest(shape, scope, enough.signal));
    let writing = 0;
    const inWriter = async <T>(step: () => Promise<T>) => {
      const started = performance.now();
      try {
        return await step();
      } finally {
        writing += performance.now() - started;
      }
    };
    const writer = await inWriter(() => store.createWriter(runId, execution.columns));
    try {
      let written = 0;
      for await (const batch of execution.batches) {
        const take = batch.length > rows - written ? batch.slice(0, rows - written) : batch;
        await inWriter(() => writer.write(take));
        written += take.length;
        if (written >= rows) {
          enough.abort(); // the rest is not read: the engine stops the statement
          break;
        }
      }
      if (written < rows) await execution.stats();
    } catch (error) {
      await writer.abort();
      throw error;
    }
    const stored = await inWriter(() => writer.finish());
    const storeSeconds = elapsedSeconds(storeStarted);
    const writeSeconds = writing / 1000;

    let exported = 0;
    let csvBytes = 0;
    const counted = async function* () {
      for await (const lines of store.rowLineBlocks(runId)) {
        for (let at = lines.indexOf(10); at >= 0; at = lines.indexOf(10, at + 1)) exported++;
        yield lines;
      }
    };
    const started = performance.now();
    let verifySeconds = 0;
    const watched = await sampler.watch(async () => {
      // as exportFile() does: the stored rows are hashed again and must match what the writer recorded
      const verified = await store.verify(runId);
      verifySeconds = elapsedSeconds(started);
      if (verified.sha256 !== stored.sha256) throw new Error('the stored result no longer matches its SHA-256');
      const body = Readable.from(
        (async function* () {
          for await (const chunk of csvFromRowLines(stored.columns, counted())) {
            csvBytes += Buffer.byteLength(chunk);
            yield chunk;
          }
        })(),
      );
      await pipeline(body, fs.createWriteStream('/dev/null'));
    });
    const seconds = elapsedSeconds(started);
    if (exported !== stored.rowCount) throw new Error(`exported ${exported} rows of ${stored.rowCount}`);
    return {
      shape,
      rows: exported,
      columns: stored.columns.length,
      seconds: round(seconds, 3),
      verifySeconds: round(verifySeconds, 3),
      rowsPerSecond: perSecond(exported, seconds),
      csvBytes,
      rssBeforeBytes: watched.rssBeforeBytes,
      peakRssBytes: watched.peakRssBytes,
      store: {
        seconds: round(storeSeconds, 3),
        writeSeconds: round(writeSeconds, 3),
        rowsPerSecond: perSecond(stored.rowCount, writeSeconds),
        endToEndRowsPerSecond: perSecond(stored.rowCount, storeSeconds),
        bytes: stored.bytes,
      },
    };
  } finally {
    await store.remove(runId);
  }
}
