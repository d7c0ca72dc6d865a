// Batching of line-oriented sources (access logs, CSV inventory reports): each line becomes a row
// with the object's partition values, or rejections; a read error refuses the whole file.
import readline from 'node:readline';
import type { Readable } from 'node:stream';
import { errorMessage, MAX_SOURCE_LINE_CHARS, oversizedLine, wholeFileRejection, type Rejection, type Row, type SourceBatch, type SourceInput } from './types';

const BATCH_ROWS = 5000;

/** What one line gives: a row, and/or rejections (possibly of earlier lines, e.g. held-back blanks). */
export type LineOutcome = { row?: Row; rejected?: Rejection[] };

export async function* lineBatches(
  input: SourceInput,
  body: Readable,
  onLine: (line: string, lineNo: number) => LineOutcome,
  release: () => void,
): AsyncGenerator<SourceBatch> {
  const lines = readline.createInterface({ input: body, crlfDelay: Infinity });
  let batch: SourceBatch = { rows: [], rejected: [], textBytes: 0 };
  let lineNo = 0;
  try {
    for await (const line of lines) {
      lineNo++;
      batch.textBytes += line.length + 1;
      const { row, rejected } = onLine(line, lineNo);
      if (rejected) batch.rejected.push(...rejected);
      if (!row) continue;
      if (line.length > MAX_SOURCE_LINE_CHARS) {
        batch.rejected.push({ file: input.file, line: lineNo, reason: oversizedLine(line.length) });
        continue;
      }
      for (const [name, value] of Object.entries(input.partition)) row[name] = value;
      batch.rows.push(row);
      if (batch.rows.length >= BATCH_ROWS) {
        yield batch;
        batch = { rows: [], rejected: [], textBytes: 0 };
      }
    }
  } catch (error) {
    yield wholeFileRejection(input.file, `unreadable: ${errorMessage(error)}`);
    return;
  } finally {
    lines.close();
    release();
  }
  if (batch.rows.length > 0 || batch.rejected.length > 0) yield batch;
}
