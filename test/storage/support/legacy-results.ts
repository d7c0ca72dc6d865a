// The first result store's file format and algorithms, kept as the tests' reference: files it wrote
// must stay readable, with the same SHA-256, and today's page() and diff() must answer as it did.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import zlib from 'node:zlib';
import { canonicalize } from '@/lib/canonical';
import type { Cell, EngineColumn } from '@/lib/engine/port';
import { compareCells } from '@/lib/storage/result-lines';

const MAGIC = Buffer.from('CUSTOSS1');
const aad = (context: string, index: number, last: boolean) => Buffer.from(`${context}|${index}|${last ? 1 : 0}`, 'utf8');

/** Writes chunks exactly as given (deflated, sealed): any boundary, even inside a character. */
export function writeFrames(file: string, key: Buffer, context: string, chunks: Buffer[]): void {
  const parts: Buffer[] = [MAGIC];
  chunks.forEach((plain, index) => {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, nonce);
    cipher.setAAD(aad(context, index, index === chunks.length - 1));
    const body = Buffer.concat([cipher.update(zlib.deflateRawSync(plain, { level: 1 })), cipher.final()]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(body.length);
    parts.push(length, nonce, body, cipher.getAuthTag());
  });
  fs.writeFileSync(file, Buffer.concat(parts), { mode: 0o600 });
}

/** The first writer: write() texts gathered, a chunk sealed once 1 MiB has gathered, the rest last. */
export function writeLegacy(file: string, key: Buffer, context: string, writes: string[]): void {
  const chunks: Buffer[] = [];
  let pending: Buffer[] = [];
  let size = 0;
  for (const text of writes) {
    const bytes = Buffer.from(text, 'utf8');
    pending.push(bytes);
    size += bytes.length;
    if (size >= 1 << 20) {
      chunks.push(Buffer.concat(pending));
      pending = [];
      size = 0;
    }
  }
  chunks.push(Buffer.concat(pending));
  writeFrames(file, key, context, chunks);
}

/** A result as the first LocalResultStore wrote it: `<id>.rows.sealed` (one write per batch) and `<id>.meta.json`. */
export function writeLegacyResult(dir: string, key: Buffer, runId: string, columns: EngineColumn[], batches: Cell[][][]) {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const writes = [canonicalize(columns) + '\n', ...batches.map((batch) => batch.map((row) => canonicalize(row) + '\n').join(''))];
  const hash = createHash('sha256');
  for (const text of writes) hash.update(text);
  const file = `${dir}/${runId}.rows.sealed`;
  writeLegacy(file, key, `result:${runId}`, writes);
  const sha256 = hash.digest('hex');
  const rowCount = batches.reduce((n, b) => n + b.length, 0);
  fs.writeFileSync(`${dir}/${runId}.meta.json`, JSON.stringify({ rowCount, sha256, bytes: fs.statSync(file).size }), { mode: 0o600 });
  return { rowCount, sha256 };
}

/** The first reader's lines: each chunk decoded as text on its own, split at newlines. */
export function legacyLines(file: string, key: Buffer, context: string): string[] {
  const data = fs.readFileSync(file);
  let position = MAGIC.length;
  const lines: string[] = [];
  let rest = '';
  for (let index = 0; ; index++) {
    const size = data.readUInt32BE(position);
    const frame = data.subarray(position + 4, position + 4 + 12 + size + 16);
    position += 4 + frame.length;
    const last = position >= data.length;
    const decipher = createDecipheriv('aes-256-gcm', key, frame.subarray(0, 12));
    decipher.setAAD(aad(context, index, last));
    decipher.setAuthTag(frame.subarray(12 + size));
    const plain = zlib.inflateRawSync(Buffer.concat([decipher.update(frame.subarray(12, 12 + size)), decipher.final()]));
    const split = (rest + plain.toString('utf8')).split('\n');
    rest = split.pop()!;
    lines.push(...split);
    if (last) break;
  }
  if (rest) lines.push(rest);
  return lines;
}

/** The first verify(): SHA-256 over every line read back, each with a newline. */
export function legacyVerify(file: string, key: Buffer, context: string): { sha256: string; rowCount: number } {
  const hash = createHash('sha256');
  const lines = legacyLines(file, key, context);
  for (const line of lines) hash.update(line + '\n');
  return { sha256: hash.digest('hex'), rowCount: Math.max(0, lines.length - 1) };
}

/** The first page(): the whole order in memory. */
export function legacyPage(columns: EngineColumn[], rows: Cell[][], offset: number, limit: number, sort?: { column: string; direction: 'asc' | 'desc' }): Cell[][] {
  if (!sort) return rows.slice(offset, offset + limit);
  const index = columns.findIndex((c) => c.name === sort.column);
  const integer = ['bigint', 'integer'].includes(columns[index]!.type);
  const keys = rows.map((row) => row[index] ?? null);
  const sign = sort.direction === 'desc' ? -1 : 1;
  const order = keys.map((_, i) => i);
  order.sort((a, b) => {
    const x = keys[a]!;
    const y = keys[b]!;
    if (x === null || y === null) return x === y ? a - b : x === null ? 1 : -1;
    const c = compareCells(x, y, integer);
    return c === 0 ? a - b : sign * c;
  });
  return order.slice(offset, offset + limit).map((i) => rows[i]!);
}

/** The first diff(): a multiset of lines in memory. */
export function legacyDiff(before: Cell[][], after: Cell[][], sampleSize = 200) {
  const counts = new Map<string, number>();
  for (const row of before) {
    const line = canonicalize(row);
    counts.set(line, (counts.get(line) ?? 0) + 1);
  }
  const added: string[] = [];
  for (const row of after) {
    const line = canonicalize(row);
    const n = counts.get(line) ?? 0;
    if (n > 0) counts.set(line, n - 1);
    else added.push(line);
  }
  const removed: string[] = [];
  for (const [line, n] of counts) for (let i = 0; i < n; i++) removed.push(line);
  const sample = (lines: string[]) => [...lines].sort().slice(0, sampleSize).map((l) => JSON.parse(l) as Cell[]);
  return { added: added.length, removed: removed.length, addedSample: sample(added), removedSample: sample(removed) };
}
