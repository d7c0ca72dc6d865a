import { createHash, verify, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalSigner, DEFAULT_KEY_FILE } from '@/lib/signer/local-p12';
import { SignerError } from '@/lib/signer/port';
import { createTestPki, openssl, type TestPki } from './pki';

let root: string;
let pki: TestPki;

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-local-signer-'));
  pki = createTestPki(path.join(root, 'pki'));
});
afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

const freshDir = (name: string) => path.join(fs.mkdtempSync(path.join(root, `${name}-`)), 'signer');
const mode = (file: string) => fs.statSync(file).mode & 0o777;

/** `openssl x509 -fingerprint -sha256` of a PEM file, as lowercase hex without colons. */
function opensslFingerprint(pemFile: string): string {
  const line = openssl(['x509', '-in', pemFile, '-noout', '-fingerprint', '-sha256']).toString();
  return line.trim().split('=')[1]!.replaceAll(':', '').toLowerCase();
}

async function signerError(promise: Promise<unknown>): Promise<SignerError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(SignerError);
    return error as SignerError;
  }
  throw new Error('expected a SignerError');
}

describe('the embedded default key', () => {
  it('is created on first use, owner-only (0700 directory, 0600 file), and reused afterwards', async () => {
    const dir = freshDir('once');
    const signer = createLocalSigner({ dir, installation: 'ward-7 0a1b2c3d' });
    expect(fs.existsSync(dir)).toBe(false); // nothing happens before first use
    const first = await signer.identity();
    const file = path.join(dir, DEFAULT_KEY_FILE);
    expect(mode(dir)).toBe(0o700);
    expect(mode(file)).toBe(0o600);
    expect(fs.readdirSync(dir)).toEqual([DEFAULT_KEY_FILE]); // no temporary file left behind
    const { ino, mtimeMs } = fs.statSync(file);
    const bytes = fs.readFileSync(file);

    const again = await createLocalSigner({ dir, installation: 'ward-7 0a1b2c3d' }).identity();
    expect(again.fingerprint).toBe(first.fingerprint);
    expect(fs.statSync(file)).toMatchObject({ ino, mtimeMs });
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    expect(await signer.identity()).toBe(first); // cached in the instance
  });

  it('ends with one key when two processes start at once', async () => {
    const dir = freshDir('race');
    const identities = await Promise.all([1, 2, 3].map(() => createLocalSigner({ dir, installation: 'race' }).identity()));
    expect(new Set(identities.map((i) => i.fingerprint)).size).toBe(1);
    expect(fs.readdirSync(dir)).toEqual([DEFAULT_KEY_FILE]);
  }, 30_000); // three RSA 3072 key generations at once: seconds on a busy machine

  it('has a SHA-256 fingerprint equal to what openssl prints for the certificate', async () => {
    const dir = freshDir('fingerprint');
    const identity = await createLocalSigner({ dir, installation: 'fp' }).identity();
    expect(identity.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(identity.fingerprint).toBe(opensslFingerprint(path.join(dir, DEFAULT_KEY_FILE)));
    expect(identity.fingerprint).toBe(createHash('sha256').update(identity.certificateChain[0]!).digest('hex'));
  });

  it('is an RSA 3072 self-signed certificate for signing documents, valid ten years, naming the installation', async () => {
    const dir = freshDir('certificate');
    const before = Date.now();
    const identity = await createLocalSigner({ dir, installation: 'radiology-host 5f3e2d1c' }).identity();
    const file = path.join(dir, DEFAULT_KEY_FILE);
    const text = openssl(['x509', '-in', file, '-noout', '-text']).toString();
    expect(text).toContain('Public-Key: (3072 bit)');
    expect(text).toMatch(/Subject: CN\s*=\s*Custos evidence signer, O\s*=\s*Custos, OU\s*=\s*radiology-host 5f3e2d1c/);
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature, Non Repudiation/);
    expect(text).toMatch(/X509v3 Extended Key Usage:\s+E-mail Protection, 1\.3\.6\.1\.5\.5\.7\.3\.36/);
    expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:FALSE/);
    expect(identity.algorithm).toBe('RSASSA_PKCS1_V1_5_SHA_256');
    expect(identity.certificateChain).toHaveLength(1);
    const cert = new X509Certificate(identity.certificateChain[0]!);
    expect(cert.issuer).toBe(cert.subject);
    const years = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / (365.25 * 86_400_000);
    expect(years).toBeCloseTo(10, 1);
    expect(Date.parse(cert.validFrom)).toBeLessThanOrEqual(before);
    // OpenSSL agrees the certificate may sign S/MIME (what PDF validators check signer certificates for).
    expect(openssl(['verify', '-CAfile', file, '-purpose', 'smimesign', file]).toString()).toContain(': OK');
  });

  it('signs a digest so that the certificate verifies the signature over the original bytes', async () => {
    const signer = createLocalSigner({ dir: freshDir('sign'), installation: 'sign' });
    const message = Buffer.from('DER of signed attributes, in a real signature');
    const signature = await signer.sign(createHash('sha256').update(message).digest());
    const { certificateChain } = await signer.identity();
    const publicKey = new X509Certificate(certificateChain[0]!).publicKey;
    expect(verify('sha256', message, publicKey, signature)).toBe(true);
    expect(verify('sha256', Buffer.from('other bytes'), publicKey, signature)).toBe(false);
    await expect(signer.sign(Buffer.alloc(20))).rejects.toThrow(/SHA-256 digest/);
  });

  it('refuses a key file other users can read', async () => {
    const dir = freshDir('loose');
    await createLocalSigner({ dir, installation: 'loose' }).identity();
    fs.chmodSync(path.join(dir, DEFAULT_KEY_FILE), 0o644);
    const error = await signerError(createLocalSigner({ dir, installation: 'loose' }).identity());
    expect(error.code).toBe('key');
    expect(error.message).toMatch(/readable by other users: make it owner-only \(chmod 600\)/);
  });
});

describe('a configured PKCS #12', () => {
  it('loads the key with its chain, signer certificate first, then the site CA', async () => {
    const signer = createLocalSigner({ dir: freshDir('p12'), installation: 'unused', p12: { path: pki.siteSigner.p12, password: pki.siteSigner.password } });
    const identity = await signer.identity();
    expect(identity.certificateChain).toHaveLength(2);
    expect(identity.fingerprint).toBe(opensslFingerprint(pki.siteSigner.cert));
    expect(createHash('sha256').update(identity.certificateChain[1]!).digest('hex')).toBe(opensslFingerprint(pki.ca.cert));
    const message = Buffer.from('attributes');
    const signature = await signer.sign(createHash('sha256').update(message).digest());
    expect(verify('sha256', message, new X509Certificate(identity.certificateChain[0]!).publicKey, signature)).toBe(true);
  });

  it('never writes the embedded default when a PKCS #12 is configured', async () => {
    const dir = freshDir('p12-only');
    await createLocalSigner({ dir, installation: 'unused', p12: { path: pki.siteSigner.p12, password: pki.siteSigner.password } }).identity();
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('names the password setting when the password is wrong, and the file setting when it is missing', async () => {
    const wrong = await signerError(createLocalSigner({ dir: freshDir('wrong'), installation: 'x', p12: { path: pki.siteSigner.p12, password: 'not it' } }).identity());
    expect(wrong.code).toBe('config');
    expect(wrong.message).toContain('wrong CUSTOS_SIGNER_P12_PASSWORD');
    expect(wrong.message).not.toContain(pki.siteSigner.password);
    const missing = await signerError(createLocalSigner({ dir: freshDir('missing'), installation: 'x', p12: { path: path.join(root, 'nope.p12'), password: '' } }).identity());
    expect(missing.message).toMatch(/^CUSTOS_SIGNER_P12: cannot read .*nope\.p12$/);
  });

  it('refuses an EC key in plain words (the local signer signs with RSA)', async () => {
    const error = await signerError(createLocalSigner({ dir: freshDir('ec'), installation: 'x', p12: { path: pki.ecSigner.p12, password: pki.ecSigner.password } }).identity());
    expect(error.code).toBe('key');
    expect(error.message).toMatch(/holds an EC key: the local signer signs with RSA keys \(CUSTOS_SIGNER=kms signs with ECDSA\)/);
  });
});
