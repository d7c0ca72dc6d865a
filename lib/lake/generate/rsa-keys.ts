// CloudTrail's digest-signing key per Region, derived from the seed: the same seed always gives the
// same RSA-2048 key, so digests and their signatures are reproducible byte for byte and no private
// key is stored anywhere. Test keys only — they sign synthetic digests.
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { Rng } from './random';

export type RegionKey = { privateKey: KeyObject; publicDer: Buffer; fingerprint: string };

const SMALL_PRIMES: number[] = [];
for (let n = 3; SMALL_PRIMES.length < 400; n += 2) if (SMALL_PRIMES.every((p) => n % p !== 0)) SMALL_PRIMES.push(n);

function randomBits(rng: Rng, bits: number): bigint {
  let x = 0n;
  for (let i = 0; i < bits; i += 32) x = (x << 32n) | BigInt(rng.u32());
  return x & ((1n << BigInt(bits)) - 1n);
}

function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  let b = base % mod;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
    e >>= 1n;
  }
  return result;
}

function millerRabin(n: bigint, rng: Rng, rounds: number): boolean {
  let d = n - 1n;
  let s = 0;
  while ((d & 1n) === 0n) {
    d >>= 1n;
    s++;
  }
  witness: for (let i = 0; i < rounds; i++) {
    const a = 2n + (randomBits(rng, 64) % (n - 4n));
    let x = modPow(a, d, n);
    if (x === 1n || x === n - 1n) continue;
    for (let r = 1; r < s; r++) {
      x = (x * x) % n;
      if (x === n - 1n) continue witness;
    }
    return false;
  }
  return true;
}

function prime(rng: Rng, bits: number, e: bigint): bigint {
  let c = randomBits(rng, bits) | (3n << BigInt(bits - 2)) | 1n;
  for (;;) {
    if (SMALL_PRIMES.every((p) => c % BigInt(p) !== 0n) && (c - 1n) % e !== 0n && millerRabin(c, rng, 8)) return c;
    c += 2n;
  }
}

function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [a % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  return ((oldS % m) + m) % m;
}

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let x = n; x > 0; x >>= 8) bytes.unshift(x & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function derInteger(v: bigint): Buffer {
  let hex = v.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let bytes = Buffer.from(hex, 'hex');
  if (bytes[0]! & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return Buffer.concat([Buffer.from([0x02]), derLength(bytes.length), bytes]);
}

function derSequence(parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([0x30]), derLength(body.length), body]);
}

const cache = new Map<string, RegionKey>();

export function regionKey(seed: number, region: string): RegionKey {
  const id = `${seed}:${region}`;
  const hit = cache.get(id);
  if (hit) return hit;
  const rng = new Rng(`custos-lake:${seed}:cloudtrail-signing-key:${region}`);
  const e = 65537n;
  let p = prime(rng, 1024, e);
  let q = prime(rng, 1024, e);
  if (p < q) [p, q] = [q, p];
  const n = p * q;
  const d = modInverse(e, (p - 1n) * (q - 1n));
  const der = derSequence([
    derInteger(0n),
    derInteger(n),
    derInteger(e),
    derInteger(d),
    derInteger(p),
    derInteger(q),
    derInteger(d % (p - 1n)),
    derInteger(d % (q - 1n)),
    derInteger(modInverse(q, p)),
  ]);
  const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs1' });
  const publicDer = createPublicKey(privateKey).export({ format: 'der', type: 'pkcs1' });
  const key = { privateKey, publicDer, fingerprint: createHash('md5').update(publicDer).digest('hex') };
  cache.set(id, key);
  return key;
}

/** A recorded CloudTrail ListPublicKeys response (JSON wire format: timestamps in epoch seconds). */
export function listPublicKeysResponse(key: RegionKey, validFromMs: number, validToMs: number) {
  return {
    PublicKeyList: [
      {
        Value: key.publicDer.toString('base64'),
        ValidityStartTime: Math.floor(validFromMs / 1000),
        ValidityEndTime: Math.floor(validToMs / 1000),
        Fingerprint: key.fingerprint,
      },
    ],
  };
}
