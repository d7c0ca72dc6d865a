import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import zlib from 'node:zlib';

// A file sealed at rest in authenticated chunks: each chunk is deflated, then AES-256-GCM
// encrypted with a fresh nonce; the associated data binds it to its file's context, its position
// and whether it is the last, so chunks cannot be altered, reordered, dropped or cut off unseen.
// Layout: MAGIC, then per chunk [u32 length of ciphertext][12-byte nonce][ciphertext][16-byte tag].

const MAGIC = Buffer.from('CUSTOSS1');
const CHUNK = 1 << 20;

const aad = (context: string, index: number, last: boolean) => Buffer.from(`${context}|${index}|${last ? 1 : 0}`, 'utf8');

export class SealedFileError extends Error {
  override name = 'SealedFileError';
}

export type SealedWriter = { write(text: string): Promise<void>; finish(): Promise<number>; abort(): Promise<void> };

/** Writes `file` sealed with `key` (32 bytes) for `context`; nothing is readable until finish() has written the last chunk. */
export function createSealedWriter(file: string, key: Buffer, context: string): SealedWriter {
  const out = fs.createWriteStream(file, { mode: 0o600 });
  const opened = new Promise<void>((resolve, reject) => {
    out.once('open', () => resolve());
    out.once('error', reject);
  });
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let index = 0;
  let bytes = 0;
  const put = (data: Buffer) =>
    new Promise<void>((resolve, reject) => {
      bytes += data.length;
      if (out.write(data)) resolve();
      else out.once('drain', resolve).once('error', reject);
    });
  const seal = async (last: boolean) => {
    const plain = Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, nonce);
    cipher.setAAD(aad(context, index++, last));
    const body = Buffer.concat([cipher.update(zlib.deflateRawSync(plain, { level: 1 })), cipher.final()]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(body.length);
    await put(Buffer.concat([length, nonce, body, cipher.getAuthTag()]));
  };
  let started = false;
  return {
    async write(text) {
      if (!started) {
        started = true;
        await opened;
        await put(MAGIC);
      }
      const chunk = Buffer.from(text, 'utf8');
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes >= CHUNK) await seal(false);
    },
    async finish() {
      if (!started) {
        started = true;
        await opened;
        await put(MAGIC);
      }
      await seal(true);
      await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
      return bytes;
    },
    async abort() {
      out.destroy();
      await fs.promises.rm(file, { force: true });
    },
  };
}

async function readExactly(handle: fs.promises.FileHandle, position: number, length: number): Promise<Buffer | null> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  if (bytesRead === 0) return null;
  if (bytesRead < length) throw new SealedFileError('the file was cut off inside a chunk');
  return buffer;
}

/** The plaintext of a sealed file, chunk by chunk; throws if anything was altered, reordered or cut off. */
export async function* readSealed(file: string, key: Buffer, context: string): AsyncGenerator<Buffer> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const magic = await readExactly(handle, 0, MAGIC.length);
    if (!magic || !magic.equals(MAGIC)) throw new SealedFileError('not a sealed file');
    let position = MAGIC.length;
    for (let index = 0; ; index++) {
      const length = await readExactly(handle, position, 4);
      if (!length) throw new SealedFileError('the file was cut off before its last chunk');
      const size = length.readUInt32BE();
      const frame = await readExactly(handle, position + 4, 12 + size + 16);
      if (!frame) throw new SealedFileError('the file was cut off inside a chunk');
      position += 4 + frame.length;
      const last = (await readExactly(handle, position, 1)) === null;
      const decipher = createDecipheriv('aes-256-gcm', key, frame.subarray(0, 12));
      decipher.setAAD(aad(context, index, last));
      decipher.setAuthTag(frame.subarray(12 + size));
      let plain: Buffer;
      try {
        plain = zlib.inflateRawSync(Buffer.concat([decipher.update(frame.subarray(12, 12 + size)), decipher.final()]));
      } catch {
        throw new SealedFileError(last ? 'a chunk was altered, or the file was cut off' : 'a chunk was altered or moved');
      }
      yield plain;
      if (last) return;
    }
  } finally {
    await handle.close();
  }
}

/** Lines of a sealed text file, in order. */
export async function* sealedLines(file: string, key: Buffer, context: string): AsyncGenerator<string> {
  let rest = '';
  for await (const chunk of readSealed(file, key, context)) {
    const text = rest + chunk.toString('utf8');
    const lines = text.split('\n');
    rest = lines.pop()!;
    for (const line of lines) yield line;
  }
  if (rest) yield rest;
}
