import { isUtf8 } from 'node:buffer';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

// A file sealed at rest in authenticated chunks: each chunk is deflated, then AES-256-GCM
// encrypted with a fresh nonce; the associated data binds it to its file's context, its position
// and whether it is the last, so chunks cannot be altered, reordered, dropped or cut off unseen.
// Layout: MAGIC, then per chunk [u32 length of ciphertext][12-byte nonce][ciphertext][16-byte tag].
//
// Throughput: deflate and inflate run on libuv's thread pool (zlib's asynchronous calls) while
// the caller's thread encrypts, hashes and serializes, so on two cores the two halves overlap. A
// writer keeps at most a few MiB of chunks being deflated or written (bounded memory); a reader
// reads, authenticates and starts inflating up to READ_AHEAD chunks ahead of its consumer. Chunks
// are cut only between two write() calls, so a chunk never splits what one write() gave it (files
// stay readable by the first version of this reader).

const MAGIC = Buffer.from('CUSTOSS1');
const CHUNK = 1 << 20;
/** Plaintext being deflated, sealed or written at once, at most (and at least three chunks). */
const IN_FLIGHT_BYTES = 4 * CHUNK;
const READ_AHEAD = 4;
const FRAME_OVERHEAD = 4 + 12 + 16;
const EMPTY = Buffer.alloc(0);
/** At most this much output room is set aside per chunk inflated (more output is gathered in pieces). */
const INFLATE_ROOM = 2 * CHUNK;

const deflateRaw = promisify(zlib.deflateRaw);
const inflateRaw = promisify(zlib.inflateRaw);

const aad = (context: string, index: number, last: boolean) => Buffer.from(`${context}|${index}|${last ? 1 : 0}`, 'utf8');

export class SealedFileError extends Error {
  override name = 'SealedFileError';
}

export type SealedWriter = {
  /** Appends text (or its UTF-8 bytes); returns once the writer has room for more (back-pressure). */
  write(data: string | Buffer): Promise<void>;
  /** Seals the last chunk, flushes the file to disk (fsync) and returns the bytes written. */
  finish(): Promise<number>;
  abort(): Promise<void>;
  /** After finish(): where each chunk starts, and how many write() calls came before its first byte. */
  chunks(): (ChunkStart & { writesBefore: number })[];
};

export type SealedWriterOptions = {
  /** Plaintext gathered before a chunk is sealed (default 1 MiB). */
  chunkBytes?: number;
  /** fsync before finish() returns (default true; scratch files that die with the process skip it). */
  sync?: boolean;
};

/** Writes `file` sealed with `key` (32 bytes) for `context`; nothing is readable until finish() has written the last chunk. */
export function createSealedWriter(file: string, key: Buffer, context: string, options: SealedWriterOptions = {}): SealedWriter {
  const chunkBytes = options.chunkBytes ?? CHUNK;
  const maxInFlight = Math.max(3, Math.floor(IN_FLIGHT_BYTES / chunkBytes));
  const opened = fs.promises.open(file, 'w', 0o600);
  opened.catch(() => undefined); // reported by the next write() or finish()
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let index = 0;
  let bytes = 0;
  let closed = false;
  let writes = 0; // write() calls so far
  let sealedWrites = 0; // write() calls whose data is in a sealed chunk
  const starts: (ChunkStart & { writesBefore: number })[] = [];
  // each chunk's frame is appended after the previous one's: `tail` is the last append
  let tail: Promise<void> = opened.then((handle) => writeFully(handle, MAGIC)).then(() => void (bytes += MAGIC.length));
  tail.catch(() => undefined);
  const inFlight: Promise<void>[] = [];

  const seal = (last: boolean) => {
    const plain = pending.length === 0 ? EMPTY : pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    const at = index++;
    const writesBefore = sealedWrites;
    sealedWrites = writes;
    // one output buffer for the whole chunk: zlib's 16 KiB default calls back into JavaScript per piece
    const deflated = deflateRaw(plain, { level: 1, chunkSize: Math.max(64 * 1024, plain.length >> 1) });
    const previous = tail;
    tail = (async () => {
      const [compressed] = await Promise.all([deflated, previous]);
      const nonce = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, nonce);
      cipher.setAAD(aad(context, at, last));
      const head = Buffer.allocUnsafe(16);
      head.writeUInt32BE(compressed.length, 0); // GCM: ciphertext length = plaintext length
      nonce.copy(head, 4);
      const body = cipher.update(compressed);
      const rest = cipher.final();
      const frame = Buffer.concat([head, body, rest, cipher.getAuthTag()]);
      const position = bytes; // appends run one after the other
      await writeFully(await opened, frame);
      bytes += frame.length;
      starts.push({ index: at, position, writesBefore });
    })();
    tail.catch(() => undefined); // awaited by write(), finish() or abort()
    inFlight.push(tail);
  };

  return {
    async write(data) {
      if (closed) throw new Error('the sealed writer is closed');
      const chunk = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      writes++;
      if (chunk.length > 0) {
        pending.push(chunk);
        pendingBytes += chunk.length;
      }
      if (pendingBytes >= chunkBytes) seal(false);
      while (inFlight.length > maxInFlight) await inFlight.shift();
    },
    async finish() {
      if (closed) throw new Error('the sealed writer is closed');
      closed = true;
      seal(true);
      const handle = await opened;
      try {
        await tail;
        if (options.sync !== false) await handle.sync();
      } finally {
        await handle.close();
      }
      return bytes;
    },
    async abort() {
      closed = true;
      await tail.catch(() => undefined);
      await opened.then((handle) => handle.close()).catch(() => undefined);
      await fs.promises.rm(file, { force: true });
    },
    chunks: () => starts,
  };
}

async function writeFully(handle: fs.promises.FileHandle, data: Buffer): Promise<void> {
  for (let offset = 0; offset < data.length; ) {
    const { bytesWritten } = await handle.write(data, offset, data.length - offset);
    offset += bytesWritten;
  }
}

/** Where a chunk starts, to resume reading there (see SealedChunk). */
export type ChunkStart = { index: number; position: number };

export type SealedChunk = ChunkStart & { plain: Buffer; last: boolean };

/**
 * The chunks of a sealed file, in order, each authenticated before it is inflated; throws if
 * anything was altered, reordered or cut off. `from` resumes at a chunk a previous read reported.
 */
export async function* readSealedChunks(file: string, key: Buffer, context: string, from?: ChunkStart, readAhead = READ_AHEAD): AsyncGenerator<SealedChunk> {
  const handle = await fs.promises.open(file, 'r');
  const ahead: Promise<SealedChunk>[] = [];
  try {
    const size = (await handle.stat()).size;
    const magic = Buffer.alloc(MAGIC.length);
    const { bytesRead } = await handle.read(magic, 0, MAGIC.length, 0);
    if (bytesRead < MAGIC.length || !magic.equals(MAGIC)) throw new SealedFileError('not a sealed file');
    let position = from?.position ?? MAGIC.length;
    let index = from?.index ?? 0;
    let ended = false;
    // reads and authenticates the next chunk now; inflates it on the thread pool
    const next = async (): Promise<SealedChunk> => {
      const at: ChunkStart = { index, position };
      if (position >= size) throw new SealedFileError('the file was cut off before its last chunk');
      if (position + 4 > size) throw new SealedFileError('the file was cut off inside a chunk');
      const length = Buffer.alloc(4);
      await readFully(handle, length, position);
      const cipherLength = length.readUInt32BE();
      const end = position + FRAME_OVERHEAD + cipherLength;
      if (end > size) throw new SealedFileError('the file was cut off inside a chunk');
      const frame = Buffer.allocUnsafe(12 + cipherLength + 16);
      await readFully(handle, frame, position + 4);
      const last = end === size;
      position = end;
      index++;
      if (last) ended = true;
      let compressed: Buffer;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, frame.subarray(0, 12));
        decipher.setAAD(aad(context, at.index, last));
        decipher.setAuthTag(frame.subarray(12 + cipherLength));
        compressed = decipher.update(frame.subarray(12, 12 + cipherLength));
        const rest = decipher.final(); // checks the tag; GCM holds nothing back
        if (rest.length > 0) compressed = Buffer.concat([compressed, rest]);
      } catch {
        throw altered(last);
      }
      try {
        // output room for the whole chunk at once (zlib's 16 KiB default calls back into JavaScript per piece)
        const room = Math.min(INFLATE_ROOM, Math.max(64 * 1024, compressed.length * 8));
        return { ...at, last, plain: await inflateRaw(compressed, { chunkSize: room }) };
      } catch {
        throw altered(last);
      }
    };
    // chunks are read one after the other (each read knows where the previous one ended)
    let reading: Promise<unknown> = Promise.resolve();
    const schedule = () => {
      const chunk = reading.then(next);
      chunk.catch(() => undefined); // rethrown when its turn comes
      reading = chunk.catch(() => undefined);
      ahead.push(chunk);
    };
    for (;;) {
      // `ended` is known once the last chunk's read has run: a read scheduled past it fails unseen
      while (ahead.length < readAhead && !ended) schedule();
      if (ahead.length === 0) return;
      const chunk = await ahead.shift()!;
      yield chunk;
      if (chunk.last) return;
    }
  } finally {
    await Promise.allSettled(ahead);
    await handle.close();
  }
}

function altered(last: boolean) {
  return new SealedFileError(last ? 'a chunk was altered, or the file was cut off' : 'a chunk was altered or moved');
}

async function readFully(handle: fs.promises.FileHandle, buffer: Buffer, position: number): Promise<void> {
  for (let offset = 0; offset < buffer.length; ) {
    const { bytesRead } = await handle.read(buffer, offset, buffer.length - offset, position + offset);
    if (bytesRead === 0) throw new SealedFileError('the file was cut off inside a chunk');
    offset += bytesRead;
  }
}

/** The plaintext of a sealed file, chunk by chunk; throws if anything was altered, reordered or cut off. */
export async function* readSealed(file: string, key: Buffer, context: string): AsyncGenerator<Buffer> {
  for await (const chunk of readSealedChunks(file, key, context)) yield chunk.plain;
}

/** Lines of a sealed text file, in order. */
export async function* sealedLines(file: string, key: Buffer, context: string): AsyncGenerator<string> {
  for await (const block of sealedLineBlocks(file, key, context)) yield* block.lines;
}

/**
 * A sealed text file's lines, a chunk at a time: `lines` are the lines that end in that chunk
 * (a line cut by a chunk boundary is joined, byte-exact), the final line only if non-empty, as
 * sealedLines() yields them. `aligned`: the chunk starts a line, so reading can resume there.
 */
export type LineBlock = { start: ChunkStart; aligned: boolean; lines: string[] };

/** The same blocks as bytes: `text` holds the block's whole lines, each ended by a newline (the final line given one). */
export type TextBlock = { start: ChunkStart; aligned: boolean; text: Buffer };

const NEWLINE = Buffer.from('\n');

export async function* sealedTextBlocks(file: string, key: Buffer, context: string, from?: ChunkStart, readAhead = READ_AHEAD): AsyncGenerator<TextBlock> {
  let carry: Buffer = EMPTY;
  for await (const chunk of readSealedChunks(file, key, context, from, readAhead)) {
    const aligned = carry.length === 0;
    let bytes = chunk.plain;
    if (!aligned) bytes = Buffer.concat([carry, bytes]);
    const end = bytes.lastIndexOf(10) + 1;
    carry = end === bytes.length ? EMPTY : bytes.subarray(end);
    let text = bytes.subarray(0, end);
    if (chunk.last && carry.length > 0) text = Buffer.concat([text, carry, NEWLINE]);
    yield { start: { index: chunk.index, position: chunk.position }, aligned, text };
  }
}

export async function* sealedLineBlocks(file: string, key: Buffer, context: string, from?: ChunkStart, readAhead = READ_AHEAD): AsyncGenerator<LineBlock> {
  for await (const { start, aligned, text } of sealedTextBlocks(file, key, context, from, readAhead)) {
    // one string per line, decoded on its own: JSON.parse reads a flat string faster than a slice of the chunk's text
    const lines: string[] = [];
    for (let at = 0; at < text.length; ) {
      const newline = text.indexOf(10, at);
      lines.push(text.toString('utf8', at, newline));
      at = newline + 1;
    }
    yield { start, aligned, lines };
  }
}

/** Whether a chunk of text is valid UTF-8 (what reading it as text gives back byte for byte). */
export const validUtf8 = (bytes: Buffer) => isUtf8(bytes);
