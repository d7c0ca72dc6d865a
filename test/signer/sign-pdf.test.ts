import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalSigner, DEFAULT_KEY_FILE } from '@/lib/signer/local-p12';
import { SignerError, type Signer } from '@/lib/signer/port';
import { readPdfSignature, signPdf } from '@/lib/signer/sign-pdf';
import { flipByte, makePdf, nssDatabase, pdfsig, trustCa, writeTemp } from './pdf-tools';
import { createTestPki, openssl, opensslRun, type TestPki } from './pki';

// pdfsig 22.12's wording, read from its output on this machine.
const VALID = '- Signature Validation: Signature is Valid.';
const MISMATCH = '- Signature Validation: Digest Mismatch.';
const TOTAL = '- Total document signed';
const ETSI = '- Signature Type: ETSI.CAdES.detached';
const TRUSTED = '- Certificate Validation: Certificate is Trusted.';
const SELF_SIGNED_UNTRUSTED = '- Certificate Validation: Certificate issuer is unknown.';
const UNTRUSTED_ISSUER = "- Certificate Validation: Certificate issuer isn't Trusted.";

let root: string;
let pki: TestPki;
let emptyNss: string;
let caNss: string;
let original: Buffer;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-sign-pdf-'));
  pki = createTestPki(path.join(root, 'pki'));
  emptyNss = nssDatabase(path.join(root, 'nss-empty'));
  caNss = nssDatabase(path.join(root, 'nss-ca'));
  trustCa(caNss, pki.ca.cert);
  original = await makePdf();
});
afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

const localDefault = (name: string): Signer => createLocalSigner({ dir: path.join(fs.mkdtempSync(path.join(root, `${name}-`)), 'signer'), installation: name });
const siteSigner = (): Signer =>
  createLocalSigner({ dir: path.join(root, 'unused'), installation: 'unused', p12: { path: pki.siteSigner.p12, password: pki.siteSigner.password } });

/** The bytes a ByteRange covers, computed here rather than by the reader. */
function coveredBytes(pdf: Buffer, [a, b, c, d]: number[]): Buffer {
  return Buffer.concat([pdf.subarray(a!, a! + b!), pdf.subarray(c!, c! + d!)]);
}

describe('signing with the embedded default (self-signed)', () => {
  let signer: Signer;
  let signed: Buffer;
  const signingTime = new Date('2026-03-02T09:30:15Z');

  beforeAll(async () => {
    signer = localDefault('self');
    signed = await signPdf(original, signer, { reason: 'Patient access report for the privacy officer', location: 'Zürich', contactInfo: 'privacy@example.org' }, { signingTime });
  });

  it('is a PAdES signature pdfsig finds valid and covering the whole document, from an untrusted issuer', () => {
    const report = pdfsig(writeTemp(root, 'self.pdf', signed), emptyNss);
    expect(report).toContain(VALID);
    expect(report).toContain(TOTAL);
    expect(report).toContain(ETSI);
    expect(report).toContain('- Signer Certificate Common Name: Custos evidence signer');
    expect(report).toContain('- Signing Hash Algorithm: SHA-256');
    expect(report).toContain(SELF_SIGNED_UNTRUSTED);
    expect(report).not.toContain('Certificate is Trusted');
  });

  it('appends an incremental update: the original file is still there, byte for byte', () => {
    const body = original.subarray(0, original.lastIndexOf('%%EOF') + 5);
    expect(signed.subarray(0, body.length).equals(body)).toBe(true);
    expect(signed.length).toBeGreaterThan(original.length);
  });

  it('reads back: byte range, CMS, certificates, fingerprint, claimed time, valid and whole', async () => {
    const signature = readPdfSignature(signed);
    const identity = await signer.identity();
    expect(signature.valid).toBe(true);
    expect(signature.problems).toEqual([]);
    expect(signature.coversWholeFile).toBe(true);
    expect(signature.byteRange[0]).toBe(0);
    expect(signature.byteRange[2] + signature.byteRange[3]).toBe(signed.length);
    expect(signature.signedBytesSha256).toBe(createHash('sha256').update(coveredBytes(signed, signature.byteRange)).digest('hex'));
    expect(signature.subFilter).toBe('ETSI.CAdES.detached');
    expect(signature.signerFingerprint).toBe(identity.fingerprint);
    expect(signature.certificates.map((c) => c.fingerprint)).toEqual([identity.fingerprint]);
    expect(signature.certificates[0]!.subject).toContain('CN=Custos evidence signer');
    expect(signature.signingTime).toEqual(signingTime);
    expect(signature.reason).toBe('Patient access report for the privacy officer');
    expect(signature.timestamp).toBeNull();
  });

  it('is a CMS that OpenSSL verifies over the byte range, with signing-certificate-v2 and no signing-time', () => {
    const signature = readPdfSignature(signed);
    const cms = writeTemp(root, 'self.p7s', signature.cms);
    const content = writeTemp(root, 'self.content', coveredBytes(signed, signature.byteRange));
    const verified = opensslRun(['cms', '-verify', '-binary', '-inform', 'DER', '-in', cms, '-content', content, '-noverify', '-out', '/dev/null']);
    expect(verified.stderr).toContain('CMS Verification successful');
    expect(verified.status).toBe(0);
    const printed = openssl(['cms', '-cmsout', '-print', '-inform', 'DER', '-in', cms]).toString();
    expect(printed).toContain('id-smime-aa-signingCertificateV2');
    expect(printed).toContain('messageDigest');
    expect(printed).not.toContain('signingTime');
    // the same content with one byte changed no longer verifies
    const other = writeTemp(root, 'self.other', flipByte(coveredBytes(signed, signature.byteRange), 100));
    const refused = opensslRun(['cms', '-verify', '-binary', '-inform', 'DER', '-in', cms, '-content', other, '-noverify', '-out', '/dev/null']);
    expect(refused.stderr).toContain('CMS Verification failure');
    expect(refused.status).not.toBe(0);
  });

  it('turns non-ASCII text into ASCII in the signature dictionary (the placeholder library would garble it)', () => {
    const text = signed.toString('latin1');
    expect(text).toContain('/Location (Zurich)');
    expect(text).toContain('/ContactInfo (privacy@example.org)');
  });

  it('one flipped byte anywhere in the signed bytes: pdfsig reports a digest mismatch, the reader says invalid', () => {
    const [, b, c] = readPdfSignature(signed).byteRange;
    // the binary comment line, a stream, the document title, the signature's /Reason, the last xref entries
    const offsets = [12, Math.floor(b / 2), signed.indexOf('Custos test evidence') + 4, signed.indexOf('Patient access report', c) + 3, signed.length - 30];
    expect(offsets.every((offset) => offset > 0 && (offset < b || offset >= c))).toBe(true);
    for (const offset of offsets) {
      const tampered = flipByte(signed, offset);
      const report = pdfsig(writeTemp(root, `flipped-${offset}.pdf`, tampered), emptyNss);
      expect(report, `offset ${offset}`).toContain(MISMATCH);
      expect(report, `offset ${offset}`).not.toContain(VALID);
      const signature = readPdfSignature(tampered);
      expect(signature.valid, `offset ${offset}`).toBe(false);
      expect(signature.problems, `offset ${offset}`).toContain('the message digest does not match the signed bytes');
    }
  });

  it('bytes appended after signing: still a valid signature, but no longer over the whole file', () => {
    const appended = Buffer.concat([signed, Buffer.from('\n% appended later\n')]);
    const signature = readPdfSignature(appended);
    expect(signature.valid).toBe(true);
    expect(signature.coversWholeFile).toBe(false);
    expect(pdfsig(writeTemp(root, 'appended.pdf', appended), emptyNss)).toContain('- Not total document signed');
  });
});

describe('signing with a certificate a site CA issued', () => {
  let signed: Buffer;

  beforeAll(async () => {
    signed = await signPdf(original, siteSigner(), { reason: 'Evidence for the auditor' });
  });

  it('is trusted by pdfsig once the CA is in its NSS database, and not before', () => {
    const file = writeTemp(root, 'site.pdf', signed);
    const trusted = pdfsig(file, caNss);
    expect(trusted).toContain(VALID);
    expect(trusted).toContain(TOTAL);
    expect(trusted).toContain(TRUSTED);
    expect(trusted).toContain('- Signer Certificate Common Name: Evidence signer (site CA)');
    const untrusted = pdfsig(file, emptyNss);
    expect(untrusted).toContain(VALID);
    expect(untrusted).toContain(UNTRUSTED_ISSUER);
  });

  it('carries the chain, so the reader needs nothing else and OpenSSL verifies it against the CA', () => {
    const signature = readPdfSignature(signed);
    expect(signature.valid).toBe(true);
    expect(signature.certificates.map((c) => c.subject)).toEqual([
      'O=Custos Test Hospital, CN=Evidence signer (site CA)',
      'O=Custos Test Hospital, CN=Custos Test Site CA',
    ]);
    const cms = writeTemp(root, 'site.p7s', signature.cms);
    const content = writeTemp(root, 'site.content', coveredBytes(signed, signature.byteRange));
    const verified = opensslRun(['cms', '-verify', '-binary', '-inform', 'DER', '-in', cms, '-content', content, '-CAfile', pki.ca.cert, '-purpose', 'smimesign', '-out', '/dev/null']);
    expect(verified.stderr).toContain('CMS Verification successful');
  });
});

describe('certificate rotation', () => {
  it('a PDF signed with the old certificate still verifies after the signer got a new one', async () => {
    const dir = path.join(fs.mkdtempSync(path.join(root, 'rotate-')), 'signer');
    const before = createLocalSigner({ dir, installation: 'rotate' });
    const oldPdf = await signPdf(original, before, { reason: 'before rotation' });
    const oldFingerprint = (await before.identity()).fingerprint;

    fs.rmSync(path.join(dir, DEFAULT_KEY_FILE)); // the operator retires the key; the next start makes a new one
    const after = createLocalSigner({ dir, installation: 'rotate' });
    const newPdf = await signPdf(original, after, { reason: 'after rotation' });
    const newFingerprint = (await after.identity()).fingerprint;
    expect(newFingerprint).not.toBe(oldFingerprint);

    const site = await signPdf(original, siteSigner(), { reason: 'site certificate' });
    for (const [pdf, fingerprint] of [[oldPdf, oldFingerprint], [newPdf, newFingerprint], [site, (await siteSigner().identity()).fingerprint]] as const) {
      const signature = readPdfSignature(pdf);
      expect(signature.valid).toBe(true);
      expect(signature.signerFingerprint).toBe(fingerprint);
      expect(pdfsig(writeTemp(root, `rotated-${fingerprint}.pdf`, pdf), emptyNss)).toContain(VALID);
    }
  });
});

describe('mistakes', () => {
  it('refuses what is not a PDF, and a PDF without a signature has none to read', async () => {
    const signer = localDefault('mistakes');
    await expect(signPdf(Buffer.from('not a pdf at all'), signer, { reason: 'x' })).rejects.toSatisfy(
      (error: unknown) => error instanceof SignerError && error.code === 'pdf' && /^The PDF cannot take a signature/.test(error.message),
    );
    expect(() => readPdfSignature(original)).toThrow('The PDF has no signature');
  });

  it('a signer whose key does not match its certificate is stopped before anything is embedded', async () => {
    const good = siteSigner();
    const other = localDefault('other-key');
    const mismatched: Signer = { kind: 'local', identity: () => good.identity(), sign: (digest) => other.sign(digest) };
    await expect(signPdf(original, mismatched, { reason: 'x' })).rejects.toThrow(/the key and the certificate do not belong together/);
  });
});
