// CloudTrail log files: gzip JSON `{"Records":[…]}` (CloudTrailInputFormat makes each record one
// row), normalized with the JSON SerDe rules into the cloudtrail_logs columns.
import { isAscii } from 'node:buffer';
import fs from 'node:fs/promises';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { tableDefinition } from '../schema';
import { isObject, structNormalizer } from './json-serde';
import { errorMessage, MAX_RECORD_BYTES, oversizedRecord, wholeFileRejection, type Rejection, type Row, type SourceBatch, type SourceInput } from './types';

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

/** What one log file gave: records visited, records refused, uncompressed bytes (0 when refused whole). */
export type CloudTrailVisit = { records: number; rejected: Rejection[]; textBytes: number };

/**
 * Calls `visit` with each record of one log file's body; a file refused whole visits none. In a
 * body larger than MAX_RECORD_BYTES each record's size is checked, and a larger record is refused
 * (a smaller body cannot hold one: JSON.stringify gives back about what was parsed).
 */
export function visitCloudTrailText(
  text: string,
  file: string,
  visit: (record: Record<string, unknown>) => void,
  textBytes = Buffer.byteLength(text),
): CloudTrailVisit {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    return { records: 0, ...wholeFileRejection(file, jsonFailure(error)) };
  }
  const records = isObject(doc) ? doc.Records : undefined;
  if (!Array.isArray(records)) return { records: 0, ...wholeFileRejection(file, 'not a CloudTrail log file: no "Records" array') };
  const out: CloudTrailVisit = { records: 0, rejected: [], textBytes };
  const measure = textBytes > MAX_RECORD_BYTES;
  for (let i = 0; i < records.length; i++) {
    const record: unknown = records[i];
    if (!isObject(record)) {
      out.rejected.push({ file, line: i + 1, reason: 'record is not a JSON object' });
      continue;
    }
    if (measure) {
      const bytes = Buffer.byteLength(JSON.stringify(record));
      if (bytes > MAX_RECORD_BYTES) {
        out.rejected.push({ file, line: i + 1, reason: oversizedRecord(bytes) });
        continue;
      }
    }
    visit(record);
    out.records++;
  }
  return out;
}

/** The record as its row: data columns, then the partition values from the object key. */
export function cloudTrailRow(record: Record<string, unknown>, partition: Record<string, string>): Row {
  const row = normalizeCloudTrailRecord(record);
  for (const name in partition) row[name] = partition[name];
  return row;
}

/** Parses the uncompressed body of one log file. */
export function parseCloudTrailText(text: string, file: string, partition: Record<string, string>): SourceBatch {
  const rows: Row[] = [];
  const { rejected, textBytes } = visitCloudTrailText(text, file, (record) => rows.push(cloudTrailRow(record, partition)));
  return { rows, rejected, textBytes };
}

const unreadable = (error: unknown) => `not a readable gzip file: ${errorMessage(error)}`;

/** Output chunk for gunzip: the size the gzip trailer states (modulo 4 GiB), so the body is one allocation. */
function outputChunk(compressed: Buffer): number {
  const stated = compressed.length >= 18 ? compressed.readUInt32LE(compressed.length - 4) : 0;
  return Math.min(Math.max(stated + 64, 16 * 1024), 64 << 20);
}

export async function* readCloudTrailLog(input: SourceInput): AsyncGenerator<SourceBatch> {
  let body: Buffer;
  try {
    body = await gunzip(await fs.readFile(input.absPath));
  } catch (error) {
    yield wholeFileRejection(input.file, unreadable(error));
    return;
  }
  yield parseCloudTrailText(body.toString('utf8'), input.file, input.partition);
}

/**
 * visitCloudTrailText over one log file's gzip bytes (`compressed` throws when they could not be
 * read), gunzipped without yielding: for worker threads, where a thread-pool hop per small object
 * costs more than it saves. The visitor is made from the body.
 */
export function visitCloudTrailGzip(
  input: Pick<SourceInput, 'file'>,
  compressed: () => Buffer,
  visitorFor: (body: Buffer, text: string) => (record: Record<string, unknown>) => void,
): CloudTrailVisit {
  let body: Buffer;
  try {
    const gzip = compressed();
    body = zlib.gunzipSync(gzip, { chunkSize: outputChunk(gzip) });
  } catch (error) {
    return { records: 0, ...wholeFileRejection(input.file, unreadable(error)) };
  }
  // ASCII (the usual case) decodes by copying; UTF-8 decoding is several times slower.
  const ascii = isAscii(body);
  const text = ascii ? body.toString('latin1') : body.toString('utf8');
  return visitCloudTrailText(text, input.file, visitorFor(body, text), ascii ? body.length : Buffer.byteLength(text));
}
