import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { KeyRing, PseudonymKind } from './port';

// Every secret is derived (HKDF-SHA-256) from the one installation key, each for one purpose, so
// a key used for one thing can never be mistaken for another.
const VERSION = 1;
const PREFIX: Record<PseudonymKind, string> = { patient: 'P', study: 'S', value: 'V' };
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford base32: no I, L, O, U

function derive(master: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `custos:${purpose}`, 32));
}

function base32(bytes: Buffer, length: number): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < length) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

export function createKeyRing(master: Buffer): KeyRing {
  if (master.length < 32) throw new Error('the installation key must be at least 32 bytes');
  const sealing = derive(master, 'seal');
  const pseudonyms = { patient: derive(master, 'pseudonym:patient'), study: derive(master, 'pseudonym:study'), value: derive(master, 'pseudonym:value') };
  const checkpoint = derive(master, 'journal-checkpoint');
  const files = { results: derive(master, 'file:results') };
  const checkpointId = createHash('sha256').update(checkpoint).digest('hex').slice(0, 16);
  return {
    seal(plain, context) {
      const nonce = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', sealing, nonce);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(plain), cipher.final()]);
      return Buffer.concat([Buffer.from([VERSION]), nonce, cipher.getAuthTag(), body]);
    },
    open(sealed, context) {
      if (sealed[0] !== VERSION || sealed.length < 29) throw new Error('not a sealed value');
      const decipher = createDecipheriv('aes-256-gcm', sealing, sealed.subarray(1, 13));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(sealed.subarray(13, 29));
      return Buffer.concat([decipher.update(sealed.subarray(29)), decipher.final()]);
    },
    pseudonym(kind, value) {
      // 12 base32 characters: 60 bits, so two of a site's millions of patients share one only by a 1-in-10^12 chance
      return `${PREFIX[kind]}-${base32(createHmac('sha256', pseudonyms[kind]).update(value, 'utf8').digest(), 12)}`;
    },
    checkpointKey: () => ({ id: checkpointId, key: checkpoint }),
    fileKey: (purpose) => files[purpose],
  };
}
