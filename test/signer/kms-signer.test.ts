import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createKmsSigner } from '@/lib/signer/kms';
import { SignerError, type Signer } from '@/lib/signer/port';
import { readPdfSignature, signPdf } from '@/lib/signer/sign-pdf';
import { parseSignedData } from '@/lib/signer/signed-data';
import { AwsReplay, jsonFixture, kmsError, kmsOk, type ReplayRequest } from '@/test/support/aws-replay';
import { makePdf, nssDatabase, pdfsig, trustCa, writeTemp } from './pdf-tools';
import { createTestPki, publicKeyDer, signDigest, type IssuedKey, type TestPki } from './pki';

// KMS answers as recorded (test/fixtures/aws/kms, AWS's JSON 1.1 shapes); the two values only the
// key can produce are filled in here: PublicKey from the stand-in key, and Signature made by
// openssl with that key over the digest the request carried.

const RSA_ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const EC_ARN = 'arn:aws:kms:us-east-1:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321';
const ALIAS = 'alias/custos-evidence';

let root: string;
let pki: TestPki;
let replay: AwsReplay;
let caNss: string;
let original: Buffer;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-kms-signer-'));
  pki = createTestPki(path.join(root, 'pki'));
  caNss = nssDatabase(path.join(root, 'nss'));
  trustCa(caNss, pki.ca.cert);
  original = await makePdf();
  replay = await AwsReplay.start();
});
afterAll(async () => {
  await replay.close();
  fs.rmSync(root, { recursive: true, force: true });
});
beforeEach(() => {
  replay.reset();
});

function getPublicKey(fixture: string, key: IssuedKey) {
  return kmsOk({ ...jsonFixture(fixture), PublicKey: publicKeyDer(key.key).toString('base64') });
}

function sign(fixture: string, key: IssuedKey) {
  return (request: ReplayRequest) => {
    const digest = Buffer.from(request.json.Message as string, 'base64');
    return kmsOk({ ...jsonFixture(fixture), Signature: signDigest(key.key, digest).toString('base64') });
  };
}

const kmsSigner = (chain: string, keyId = ALIAS): Signer => createKmsSigner({ keyId, certificateChainPath: chain }, { kms: replay.kmsClient() });

async function signerError(promise: Promise<unknown>): Promise<SignerError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(SignerError);
    return error as SignerError;
  }
  throw new Error('expected a SignerError');
}

describe.each([
  { name: 'RSA_2048', fixture: 'rsa', arn: RSA_ARN, algorithm: 'RSASSA_PKCS1_V1_5_SHA_256', key: () => pki.kmsRsa },
  { name: 'ECC_NIST_P256', fixture: 'ecc', arn: EC_ARN, algorithm: 'ECDSA_SHA_256', key: () => pki.kmsEc },
] as const)('a KMS $name key', ({ fixture, arn, algorithm, key }) => {
  it('signs a PDF that pdfsig finds valid, whole and trusted, asking KMS only to sign a digest', async () => {
    replay.on('kms:GetPublicKey', getPublicKey(`kms/get-public-key-${fixture}.json`, key())).on('kms:Sign', sign(`kms/sign-${fixture}.json`, key()));
    const signer = kmsSigner(key().chain);
    const signed = await signPdf(original, signer, { reason: 'Evidence for the auditor' });

    const report = pdfsig(writeTemp(root, `kms-${fixture}.pdf`, signed), caNss);
    expect(report).toContain('- Signature Validation: Signature is Valid.');
    expect(report).toContain('- Total document signed');
    expect(report).toContain('- Certificate Validation: Certificate is Trusted.');
    expect(report).toContain('- Signature Type: ETSI.CAdES.detached');

    const signature = readPdfSignature(signed);
    expect(signature.valid).toBe(true);
    expect(signature.signerFingerprint).toBe((await signer.identity()).fingerprint);
    expect(signature.certificates).toHaveLength(2);

    expect(replay.unexpected).toEqual([]);
    const [lookup] = replay.requests('kms:GetPublicKey');
    expect(lookup!.headers['x-amz-target']).toBe('TrentService.GetPublicKey');
    expect(lookup!.json).toEqual({ KeyId: ALIAS });
    const signs = replay.requests('kms:Sign');
    expect(signs).toHaveLength(1);
    const request = signs[0]!;
    expect(request.headers['x-amz-target']).toBe('TrentService.Sign');
    expect(request.headers['content-type']).toBe('application/x-amz-json-1.1');
    // the ARN GetPublicKey resolved, a 32-byte digest, never the document or the key
    expect(request.json).toEqual({ KeyId: arn, Message: expect.any(String), MessageType: 'DIGEST', SigningAlgorithm: algorithm });
    const digest = Buffer.from(request.json.Message as string, 'base64');
    const signedAttributes = Buffer.from(parseSignedData(signature.cms).signerInfos[0]!.signedAttrs!.encodedValue);
    expect(digest.equals(createHash('sha256').update(signedAttributes).digest())).toBe(true);
  });
});

describe('the KMS signer', () => {
  it('asks for the public key once, and signs every document afterwards', async () => {
    replay.on('kms:GetPublicKey', getPublicKey('kms/get-public-key-rsa.json', pki.kmsRsa)).on('kms:Sign', sign('kms/sign-rsa.json', pki.kmsRsa));
    const signer = kmsSigner(pki.kmsRsa.chain);
    for (const reason of ['first', 'second', 'third']) expect(readPdfSignature(await signPdf(original, signer, { reason })).valid).toBe(true);
    expect(replay.requests('kms:GetPublicKey')).toHaveLength(1);
    expect(replay.requests('kms:Sign')).toHaveLength(3);
  });

  it('refuses a certificate chain that is not for the KMS key', async () => {
    replay.on('kms:GetPublicKey', getPublicKey('kms/get-public-key-rsa.json', pki.kmsRsa));
    const error = await signerError(kmsSigner(pki.kmsEc.chain).identity());
    expect(error.code).toBe('config');
    expect(error.message).toBe(`CUSTOS_SIGNER_CERT_CHAIN: no certificate in ${pki.kmsEc.chain} is for the public key of KMS key ${ALIAS}`);
    expect(replay.requests('kms:Sign')).toEqual([]);
  });

  it('refuses a key that is not for signing', async () => {
    replay.on('kms:GetPublicKey', getPublicKey('kms/get-public-key-encrypt.json', pki.kmsRsa));
    const error = await signerError(kmsSigner(pki.kmsRsa.chain).identity());
    expect(error.message).toBe(`CUSTOS_SIGNER_KMS_KEY_ID: KMS key ${ALIAS} is not a signing key (KeyUsage ENCRYPT_DECRYPT)`);
  });

  it("reports KMS's own errors by name, and tries again on the next call", async () => {
    replay.on('kms:GetPublicKey', kmsError(jsonFixture('kms/pending-deletion.json')), getPublicKey('kms/get-public-key-rsa.json', pki.kmsRsa));
    replay.on('kms:Sign', kmsError(jsonFixture('kms/disabled-exception.json')));
    const signer = kmsSigner(pki.kmsRsa.chain);
    const pending = await signerError(signer.identity());
    expect(pending.code).toBe('kms');
    expect(pending.message).toBe(`AWS KMS GetPublicKey failed for key ${ALIAS}: KMSInvalidStateException: ${RSA_ARN} is pending deletion.`);
    expect((await signer.identity()).algorithm).toBe('RSASSA_PKCS1_V1_5_SHA_256');
    const disabled = await signerError(signPdf(original, signer, { reason: 'x' }));
    expect(disabled.message).toBe(`AWS KMS Sign failed for key ${RSA_ARN}: DisabledException: ${RSA_ARN} is disabled.`);
  });

  it('refuses a signature its certificate does not verify (a KMS answer for other data)', async () => {
    replay.on('kms:GetPublicKey', getPublicKey('kms/get-public-key-rsa.json', pki.kmsRsa));
    replay.on('kms:Sign', () => kmsOk({ ...jsonFixture('kms/sign-rsa.json'), Signature: signDigest(pki.kmsRsa.key, Buffer.alloc(32, 7)).toString('base64') }));
    const error = await signerError(signPdf(original, kmsSigner(pki.kmsRsa.chain), { reason: 'x' }));
    expect(error.code).toBe('key');
    expect(error.message).toMatch(/the key and the certificate do not belong together/);
  });

  it('names the chain setting when its file is missing or holds no certificate', async () => {
    const missing = await signerError(kmsSigner(path.join(root, 'nope.pem')).identity());
    expect(missing.message).toBe(`CUSTOS_SIGNER_CERT_CHAIN: cannot read ${path.join(root, 'nope.pem')}`);
    const empty = writeTemp(root, 'empty.pem', Buffer.from('no certificates here\n'));
    expect((await signerError(kmsSigner(empty).identity())).message).toBe(`CUSTOS_SIGNER_CERT_CHAIN: ${empty} holds no PEM certificate`);
    expect(replay.received).toEqual([]);
  });
});
