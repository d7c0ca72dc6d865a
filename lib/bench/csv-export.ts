// The CSV export path measured on a large stored result: rows come back through ResultStore.rows()
// and are quoted and chunked exactly as lib/queries/export-run.ts does for a download.
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Cell, EngineColumn, QueryEngine } from '@/lib/engine/port';
import { LocalResultStore } from '@/lib/storage/result-store';
import { elapsedSeconds, perSecond, round } from './figures';
import type { RssSampler } from './rss-sampler';

// Same rules as export-run.ts's csvCell, which that module does not export.
export function csvCell(value: Cell): string {
  if (value === null) return '';
  let text = Array.isArray(value) ? value.join('; ') : String(value);
  if (/^[=+@\t\r]/.test(text) || (/^-/.test(text) && text.length > 1 && !/^-\d+(\.\d+)?$/.test(text))) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export async function* csvBody(columns: EngineColumn[], rows: AsyncIterable<Cell[]>): AsyncGenerator<string> {
  yield columns.map((c) => csvCell(c.name)).join(',') + '\r\n';
  let chunk = '';
  for await (const row of rows) {
    chunk += row.map(csvCell).join(',') + '\r\n';
    if (chunk.length > 64 * 1024) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

export type ExportFigures = {
  rows: number;
  columns: number;
  seconds: number;
  rowsPerSecond: number;
  csvBytes: number;
  rssBeforeBytes: number;
  peakRssBytes: number;
  /** Running the query and writing the result through ResultStore.createWriter. */
  store: { seconds: number; rowsPerSecond: number; bytes: number };
};

/** Stores the first `rows` CloudTrail rows of `scope` as a run result, then streams it out as CSV to /dev/null. */
export async function measureCsvExport(
  engine: QueryEngine,
  scope: { from: string; to: string },
  rows: number,
  resultDir: string,
  sampler: RssSampler,
): Promise<ExportFigures> {
  const store = new LocalResultStore(resultDir, randomBytes(32));
  const runId = randomUUID();
  try {
    const storeStarted = performance.now();
    const execution = await engine.execute({
      sql: `SELECT * FROM cloudtrail_logs LIMIT ${Math.floor(rows)}`,
      binds: [],
      tables: ['cloudtrail_logs'],
      scope,
    });
    const writer = await store.createWriter(runId, execution.columns);
    try {
      for await (const batch of execution.batches) await writer.write(batch);
      await execution.stats();
    } catch (error) {
      await writer.abort();
      throw error;
    }
    const stored = await writer.finish();
    const storeSeconds = elapsedSeconds(storeStarted);

    let exported = 0;
    let csvBytes = 0;
    const counted = async function* () {
      for await (const row of store.rows(runId)) {
        exported++;
        yield row;
      }
    };
    const started = performance.now();
    const watched = await sampler.watch(async () => {
      const body = Readable.from(
        (async function* () {
          for await (const chunk of csvBody(stored.columns, counted())) {
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
      rows: exported,
      columns: stored.columns.length,
      seconds: round(seconds, 3),
      rowsPerSecond: perSecond(exported, seconds),
      csvBytes,
      rssBeforeBytes: watched.rssBeforeBytes,
      peakRssBytes: watched.peakRssBytes,
      store: { seconds: round(storeSeconds, 3), rowsPerSecond: perSecond(stored.rowCount, storeSeconds), bytes: stored.bytes },
    };
  } finally {
    await store.remove(runId);
  }
}
