// One partition's raw objects parsed for compaction (in a worker thread, or in this one): rows
// become rowText lines, held and sorted in memory while the partition fits, or NDJSON when rowText
// refuses them. An object refused part-way contributes no rows.
import { isAscii } from 'node:buffer';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { rowOrder, type SortKey } from './compact-order';
import { jsonFacts, jsonRowText, MAX_LINE_CHARS, rowText, type JsonFacts, type JsonRowText } from './row-text';
import type { RawFile } from './scan';
import { cloudTrailRow, visitCloudTrailGzip } from './sources/cloudtrail';
import { sourceBatches } from './stage';
import type { Rejection, Row, SourceBatch } from './sources/types';
import type { LakeLocation, LakeTable } from './tables';

export type ParsedObject = { file: RawFile; records: number; rejected: Rejection[]; textBytes: number };

export type PartitionJob = {
  table: LakeTable;
  /** The raw partition folder, for messages. */
  partition: string;
  files: RawFile[];
  /** Where rowText lines and NDJSON rows go (absolute paths; a file is created only when it gets rows). */
  text: string;
  json: string;
  /** Bytes of lines held in memory for sorting before they are written unsorted. */
  holdBytes: number;
};

export type ParsedPartition = {
  objects: ParsedObject[];
  textRows: number;
  jsonRows: number;
  /** The text file is in the table's sort order and no row went to NDJSON: no ORDER BY needed. */
  sorted: boolean;
};

const FLUSH_CHARS = 4 << 20;
const YIELD_MS = 20;

type FileMark = { bytes: number; rows: number };

/** Lines as UTF-8, each ended by a newline; known-ASCII lines are copied byte for byte. */
function encodeLines(lines: string[], chars: number, ascii: boolean): Buffer {
  if (!ascii) {
    lines.push('');
    return Buffer.from(lines.join('\n'));
  }
  const buffer = Buffer.allocUnsafe(chars + lines.length);
  let at = 0;
  for (const line of lines) {
    at += buffer.write(line, at, 'latin1');
    buffer[at++] = 0x0a;
  }
  return buffer;
}

/**
 * Lines appended to a file in chunks; a mark taken before an object lets it be taken back.
 * Writes block: in a worker nothing else waits, and on the main thread they are a few ms each.
 */
class LineFile {
  rows = 0;
  private bytes = 0;
  private pending: string[] = [];
  private pendingChars = 0;
  private pendingAscii = true;
  private fd: number | null = null;
  constructor(private readonly path: string) {}

  push(line: string, ascii: boolean): void {
    this.pending.push(line);
    this.rows++;
    this.pendingChars += line.length;
    this.pendingAscii &&= ascii;
    if (this.pendingChars >= FLUSH_CHARS) this.flush();
  }

  flush(): void {
    if (this.pending.length === 0) return;
    const buffer = encodeLines(this.pending, this.pendingChars, this.pendingAscii);
    this.pending = [];
    this.pendingChars = 0;
    this.pendingAscii = true;
    this.append(buffer);
  }

  /** Lines already encoded, each ended by a newline. */
  writeBytes(lines: Buffer, rows: number): void {
    this.flush();
    this.rows += rows;
    if (lines.length > 0) this.append(lines);
  }

  private append(buffer: Buffer): void {
    this.fd ??= fs.openSync(this.path, 'w');
    fs.writeSync(this.fd, buffer, 0, buffer.length, this.bytes);
    this.bytes += buffer.length;
  }

  mark(): FileMark {
    this.flush();
    return { bytes: this.bytes, rows: this.rows };
  }

  rollback(mark: FileMark): void {
    this.pending = [];
    this.pendingChars = 0;
    this.pendingAscii = true;
    if (this.fd !== null && this.bytes > mark.bytes) fs.ftruncateSync(this.fd, mark.bytes);
    this.bytes = mark.bytes;
    this.rows = mark.rows;
  }

  close(): void {
    try {
      this.flush();
    } finally {
      if (this.fd !== null) fs.closeSync(this.fd);
      this.fd = null;
    }
  }
}

/** Buffers a worker keeps from one partition to the next: fresh memory costs a page fault per 4 KiB. */
export type Arena = { lines: Buffer; sorted: Buffer };

/** `buffer` if it holds `size` bytes, else a larger one (doubled, up to `cap` unless `size` is more) with its first `keep` bytes. */
function grown(buffer: Buffer, keep: number, size: number, cap: number): Buffer {
  if (size <= buffer.length) return buffer;
  const larger = Buffer.allocUnsafe(Math.max(Math.min(buffer.length * 2, cap), size));
  buffer.copy(larger, 0, 0, keep);
  return larger;
}

/**
 * Lines held to be written sorted, encoded into one growing buffer as they come (a line string
 * dies young; holding the strings themselves made the garbage collector copy every one of them).
 */
class HeldLines {
  /** Bytes of lines held, newlines included. */
  bytes = 0;
  /** Where each line starts in the buffer; it ends where the next starts. */
  private starts: number[] = [];
  private keys: SortKey[] = [];

  constructor(
    private readonly arena: Arena,
    private readonly holdBytes: number,
  ) {}

  get count(): number {
    return this.starts.length;
  }

  push(line: string, ascii: boolean, key: SortKey | null): void {
    const size = (ascii ? line.length : Buffer.byteLength(line)) + 1;
    const buffer = (this.arena.lines = grown(this.arena.lines, this.bytes, this.bytes + size, this.holdBytes));
    this.starts.push(this.bytes);
    this.bytes += buffer.write(line, this.bytes, ascii ? 'latin1' : 'utf8');
    buffer[this.bytes++] = 0x0a;
    if (key) this.keys.push(key);
  }

  /** Drops the lines after the first `count` (`bytes` long). */
  truncate(count: number, bytes: number): void {
    this.starts.length = count;
    if (this.keys.length > count) this.keys.length = count;
    this.bytes = bytes;
  }

  /** The lines as they are to be written (valid until the arena is used again): in arrival order, or sorted by their keys (a stable sort). */
  text(compare?: (a: SortKey, b: SortKey) => number): Buffer {
    const { starts, keys, bytes } = this;
    const buffer = this.arena.lines;
    if (!compare) return buffer.subarray(0, bytes);
    const order = Array.from(starts.keys()).sort((a, b) => compare(keys[a]!, keys[b]!));
    const out = (this.arena.sorted = grown(this.arena.sorted, 0, bytes, this.holdBytes));
    let at = 0;
    for (const i of order) at += buffer.copy(out, at, starts[i]!, i + 1 < starts.length ? starts[i + 1]! : bytes);
    return out.subarray(0, bytes);
  }
}

type ObjectMark = { held: number; heldBytes: number; text: FileMark | null; json: FileMark };

/** Where a partition's rows go; rows of the current object can be discarded until the next begins. */
class PartitionSink {
  private readonly layout;
  private readonly records;
  private readonly order;
  private held: HeldLines | null;
  private readonly text: LineFile;
  private readonly json: LineFile;
  private mark: ObjectMark | null = null;

  constructor(private readonly job: PartitionJob, arena: Arena) {
    this.held = new HeldLines(arena, job.holdBytes);
    this.layout = rowText(job.table);
    this.records = jsonRowText(job.table);
    this.order = rowOrder(job.table);
    this.text = new LineFile(job.text);
    this.json = new LineFile(job.json);
  }

  beginObject(): void {
    this.mark = {
      held: this.held?.count ?? 0,
      heldBytes: this.held?.bytes ?? 0,
      text: this.held ? null : this.text.mark(),
      json: this.json.mark(),
    };
  }

  discardObject(): void {
    const mark = this.mark!;
    if (this.held) {
      this.held.truncate(mark.held, mark.heldBytes);
    } else {
      this.text.rollback(mark.text!);
    }
    this.json.rollback(mark.json);
  }

  private push(line: string, ascii: boolean, key: () => SortKey) {
    if (!this.held) return this.text.push(line, ascii);
    this.held.push(line, ascii, this.order ? key() : null);
    if (this.held.bytes > this.job.holdBytes) this.spill();
  }

  /** A normalized row (line parsers). */
  pushRow(row: Row): void {
    const line = this.layout.line(row);
    if (line === null || line.length > MAX_LINE_CHARS) this.json.push(JSON.stringify(row), false);
    else this.push(line, false, () => this.order!.keyOf((c) => row[c]));
  }

  /** A CloudTrail record, written without building its row when it can be. */
  pushRecord(record: Record<string, unknown>, partition: Record<string, string>, partitionText: string | null, body: JsonFacts): void {
    const line = partitionText === null ? null : this.records.line(record, partitionText, body.trusted);
    if (line === null || line.length > MAX_LINE_CHARS) this.json.push(JSON.stringify(cloudTrailRow(record, partition)), false);
    else this.push(line, body.ascii, () => this.order!.keyOf(this.records.value));
  }

  /** Too much to hold: write what is held, in arrival order, and DuckDB sorts the partition. */
  private spill(): void {
    const held = this.held!;
    const mark = this.mark;
    this.held = null;
    const lines = held.text();
    // the current object's lines are written after a mark, so that a refusal can still take them back
    const before = mark ? mark.heldBytes : lines.length;
    this.text.writeBytes(lines.subarray(0, before), mark ? mark.held : held.count);
    if (mark) {
      mark.text = this.text.mark();
      this.text.writeBytes(lines.subarray(before), held.count - mark.held);
    }
  }

  finish(): Omit<ParsedPartition, 'objects'> {
    const held = this.held;
    if (held) this.text.writeBytes(held.text(this.order?.compare), held.count);
    this.text.close();
    this.json.close();
    return {
      textRows: this.text.rows,
      jsonRows: this.json.rows,
      sorted: held !== null && this.order !== null && this.json.rows === 0,
    };
  }

  abandon(): void {
    for (const file of [this.text, this.json]) {
      try {
        file.close();
      } catch {
        // the error that stopped the partition is the one to report
      }
    }
  }
}

/** One CloudTrail object straight into the sink, without row objects. */
function parseCloudTrail(file: RawFile, read: Buffer | Error, sink: PartitionSink, recordText: JsonRowText): ParsedObject {
  const partitionText = recordText.partitionText(file.partition);
  const ascii = partitionText !== null && isAscii(Buffer.from(partitionText));
  const compressed = () => {
    if (read instanceof Error) throw read;
    return read;
  };
  const visit = visitCloudTrailGzip({ file: file.path }, compressed, (body, text) => {
    const facts = jsonFacts(body, text);
    facts.ascii &&= ascii;
    return (record) => sink.pushRecord(record, file.partition, partitionText, facts);
  });
  return { file, records: visit.records, rejected: visit.rejected, textBytes: visit.textBytes };
}

type Read = SourceBatch[] | Buffer | Error;

const asError = (error: unknown) => (error instanceof Error ? error : new Error(String(error)));

/** A CloudTrail object's gzip bytes, read now (or why they could not be read). */
function readNow(lake: LakeLocation, file: RawFile): Buffer | Error {
  try {
    return fs.readFileSync(path.join(lake.dir, file.path));
  } catch (error) {
    return asError(error);
  }
}

/** What is read ahead: an access log's batches, a CloudTrail object's gzip bytes (or why they could not be read). */
async function readAhead(lake: LakeLocation, file: RawFile): Promise<Read> {
  if (file.kind === 'cloudtrail') return fsp.readFile(path.join(lake.dir, file.path)).catch(asError);
  const batches: SourceBatch[] = [];
  for await (const batch of sourceBatches(lake, file)) batches.push(batch);
  return batches;
}

export type ParseOptions = {
  /** Objects read ahead of the one being parsed. */
  ahead?: number;
  /**
   * Read CloudTrail objects with blocking reads when their turn comes. In a worker thread nothing
   * else waits on the event loop, and a blocking read of a small object costs less than a trip
   * through the thread pool (about 8 % of a year's compaction on two cores).
   */
  blockingReads?: boolean;
  /** Buffers kept from the last partition parsed in this thread (a worker's); fresh ones when absent. */
  arena?: Arena;
};

export const newArena = (): Arena => ({ lines: Buffer.allocUnsafe(1 << 20), sorted: Buffer.allocUnsafe(0) });

/**
 * Parses a partition's objects in order, reading a few ahead so the disk overlaps parsing.
 * CloudTrail objects are gunzipped, parsed and written without yielding (cheapest in a worker thread).
 */
export async function parsePartition(lake: LakeLocation, job: PartitionJob, options: ParseOptions = {}): Promise<ParsedPartition> {
  const { files } = job;
  const { ahead = 4, blockingReads = false, arena = newArena() } = options;
  const small = (file: RawFile) => !file.problem && (file.kind === 'access-log' || file.kind === 'cloudtrail');
  const readsAhead = (file: RawFile) => small(file) && !(blockingReads && file.kind === 'cloudtrail');
  const pending = new Map<number, Promise<Read>>();
  const prefetch = (from: number) => {
    for (let j = from; j < Math.min(files.length, from + 1 + ahead); j++) {
      if (pending.has(j) || !readsAhead(files[j]!)) continue;
      const p = readAhead(lake, files[j]!);
      p.catch(() => undefined);
      pending.set(j, p);
    }
  };
  const sink = new PartitionSink(job, arena);
  const recordText = jsonRowText(job.table);
  const objects: ParsedObject[] = [];
  let yieldedAt = performance.now();
  try {
    for (let i = 0; i < files.length; i++) {
      const file = files[i]!;
      // Parsing on the main thread (a small job) must not hold up its event loop for a whole partition.
      if (performance.now() - yieldedAt > YIELD_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        yieldedAt = performance.now();
      }
      if (file.problem) {
        objects.push({ file, records: 0, rejected: [{ file: file.path, line: 0, reason: file.problem }], textBytes: 0 });
        continue;
      }
      prefetch(i);
      const read = readsAhead(file) ? await pending.get(i)! : small(file) ? readNow(lake, file) : null;
      pending.delete(i);
      sink.beginObject();
      let parsed: ParsedObject = { file, records: 0, rejected: [], textBytes: 0 };
      if (file.kind === 'cloudtrail') {
        parsed = parseCloudTrail(file, read as Buffer | Error, sink, recordText);
        if (parsed.rejected.some((r) => r.line === 0)) sink.discardObject();
      } else {
        const batches: AsyncIterable<SourceBatch> | SourceBatch[] = (read as SourceBatch[] | null) ?? sourceBatches(lake, file);
        for await (const batch of batches) {
          const whole = batch.rejected.find((r) => r.line === 0);
          if (whole) {
            sink.discardObject();
            parsed = { file, records: 0, rejected: [whole], textBytes: 0 };
            break;
          }
          for (const row of batch.rows) sink.pushRow(row);
          parsed.records += batch.rows.length;
          parsed.textBytes += batch.textBytes;
          parsed.rejected.push(...batch.rejected);
        }
      }
      objects.push(parsed);
    }
    return { objects, ...sink.finish() };
  } catch (error) {
    sink.abandon();
    throw error;
  }
}
