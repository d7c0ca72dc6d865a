// CloudTrail log files: gzip JSON `{"Records":[…]}` (CloudTrailInputFormat makes each record one
// row), normalized with the JSON SerDe rules into the cloudtrail_logs columns.
import fs from 'node:fs/promises';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { tableDefinition } from '../schema';
import { structNormalizer } from './json-serde';
import { errorMessage, wholeFileRejection, type Row, type SourceBatch, type SourceInput } from './types';

const gunzip = promisify(zlib.gunzip);

let normalizer: ((value: unknown) => Record<string, unknown> | null) | null = null;

/** One CloudTrail record as a cloudtrail_logs row (data columns only). */
export function normalizeCloudTrailRecord(record: Record<string, unknown>): Row {
  normalizer ??= structNormalizer(tableDefinition('cloudtrail_logs').columns);
  return normalizer(record)!;
}

/** JSON.parse messages can quote the input; keep only the position so no log content leaks into reports. */
function jsonFailure(error: unknown): string {
  const position = /position (\d+)/.exec(errorMessage(error));
  return position ? `malformed JSON at character ${position[1]}` : 'malformed JSON';
}

/** Parses the uncompressed body of one log file. */
export function parseCloudTrailText(text: string, file: string, partition: Record<string, string>): SourceBatch {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    return wholeFileRejection(file, jsonFailure(error));
  }
  const records = typeof doc === 'object' && doc !== null && !Array.isArray(doc) ? (doc as Record<string, unknown>).Records : undefined;
  if (!Array.isArray(records)) return wholeFileRejection(file, 'not a CloudTrail log file: no "Records" array');
  const batch: SourceBatch = { rows: [], rejected: [], textBytes: Buffer.byteLength(text) };
  for (let i = 0; i < records.length; i++) {
    const record: unknown = records[i];
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      batch.rejected.push({ file, line: i + 1, reason: 'record is not a JSON object' });
      continue;
    }
    const row = normalizeCloudTrailRecord(record as Record<string, unknown>);
    for (const [name, value] of Object.entries(partition)) row[name] = value;
    batch.rows.push(row);
  }
  return batch;
}

export async function* readCloudTrailLog(input: SourceInput): AsyncGenerator<SourceBatch> {
  let body: Buffer;
  try {
    body = await gunzip(await fs.readFile(input.absPath));
  } catch (error) {
    yield wholeFileRejection(input.file, `not a readable gzip file: ${errorMessage(error)}`);
    return;
  }
  yield parseCloudTrailText(body.toString('utf8'), input.file, input.partition);
}
