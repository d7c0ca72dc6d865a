import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as asn1js from 'asn1js';
import { TimeStampReq } from 'pkijs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OID } from '@/lib/signer/der';
import { createLocalSigner } from '@/lib/signer/local-p12';
import { SignerError, type Signer } from '@/lib/signer/port';
import { readPdfSignature, signPdf } from '@/lib/signer/sign-pdf';
import { attributeValue, octets, parseSignedData } from '@/lib/signer/signed-data';
import { startTsa, type Tsa } from '@/test/support/tsa-server';
import { makePdf, nssDatabase, pdfsig, writeTemp } from './pdf-tools';
import { createTestPki, opensslRun, type TestPki } from './pki';

let root: string;
let pki: TestPki;
let tsa: Tsa;
let nss: string;
let signer: Signer;
let original: Buffer;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-timestamp-'));
  pki = createTestPki(path.join(root, 'pki'));
  nss = nssDatabase(path.join(root, 'nss'));
  tsa = await startTsa({ dir: path.join(root, 'tsa'), cert: pki.tsa.cert, key: pki.tsa.key, chain: pki.ca.cert });
  signer = createLocalSigner({ dir: path.join(root, 'unused'), installation: 'x', p12: { path: pki.siteSigner.p12, password: pki.siteSigner.password } });
  original = await makePdf();
});
afterAll(async () => {
  await tsa.close();
  fs.rmSync(root, { recursive: true, force: true });
});
beforeEach(() => {
  tsa.mode = 'ok';
  tsa.queries.length = 0;
});

/** The signature value and the embedded time-stamp token, taken out of the PDF's CMS. */
function signatureAndToken(pdf: Buffer): { value: Buffer; token: Buffer; tokenOffset: number } {
  const { cms } = readPdfSignature(pdf);
  const signerInfo = parseSignedData(cms).signerInfos[0]!;
  const token = attributeValue(signerInfo, OID.signatureTimeStampToken, true) as asn1js.Sequence;
  const bytes = Buffer.from(token.valueBeforeDecodeView);
  return { value: octets(signerInfo.signature), token: bytes, tokenOffset: cms.indexOf(bytes) };
}

describe('with a time-stamping authority (PAdES B-T)', () => {
  let signed: Buffer;
  let queries: Buffer[];
  let before: number;
  let after: number;

  beforeAll(async () => {
    tsa.queries.length = 0;
    before = Date.now();
    signed = await signPdf(original, signer, { reason: 'Evidence with a time-stamp' }, { timestampUrl: tsa.url });
    after = Date.now();
    queries = [...tsa.queries];
  });

  it('asks the TSA once, for the SHA-256 of the signature value, with a nonce and its certificate', () => {
    expect(queries).toHaveLength(1);
    const query = TimeStampReq.fromBER(new Uint8Array(queries[0]!));
    expect(query.messageImprint.hashAlgorithm.algorithmId).toBe(OID.sha256);
    const { value } = signatureAndToken(signed);
    expect(Buffer.from(query.messageImprint.hashedMessage.valueBlock.valueHexView).equals(createHash('sha256').update(value).digest())).toBe(true);
    expect(query.nonce).toBeDefined();
    expect(query.certReq).toBe(true);
  });

  it('keeps the signature valid for pdfsig', () => {
    const report = pdfsig(writeTemp(root, 'stamped.pdf', signed), nss);
    expect(report).toContain('- Signature Validation: Signature is Valid.');
    expect(report).toContain('- Total document signed');
  });

  it('shows the time-stamp in the reader: the TSA, the time, an imprint over the signature value', () => {
    const signature = readPdfSignature(signed);
    expect(signature.valid).toBe(true);
    expect(signature.timestamp).toMatchObject({ imprintMatches: true, signatureValid: true, valid: true, policy: '1.3.6.1.4.1.55555.1', problems: [] });
    expect(signature.timestamp!.authority).toContain('CN=Custos Test TSA');
    expect(signature.timestamp!.genTime.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 - 1000);
    expect(signature.timestamp!.genTime.getTime()).toBeLessThanOrEqual(after + 1000);
  });

  it('embeds a token OpenSSL verifies against the signature value and the CA', () => {
    const { value, token } = signatureAndToken(signed);
    const data = writeTemp(root, 'signature-value.bin', value);
    const tokenFile = writeTemp(root, 'token.der', token);
    const verified = opensslRun(['ts', '-verify', '-data', data, '-in', tokenFile, '-token_in', '-CAfile', pki.ca.cert]);
    expect(verified.stdout).toContain('Verification: OK');
    const other = writeTemp(root, 'other-value.bin', Buffer.concat([value, Buffer.from([0])]));
    expect(opensslRun(['ts', '-verify', '-data', other, '-in', tokenFile, '-token_in', '-CAfile', pki.ca.cert]).stdout).toContain('Verification: FAILED');
  });

  it('a token altered inside the PDF makes the reader call the signature invalid', () => {
    const signature = readPdfSignature(signed);
    const { token, tokenOffset } = signatureAndToken(signed);
    // the last byte of the token is the TSA's signature; /Contents holds the CMS as hex after '<'
    const at = signature.byteRange[1] + 1 + 2 * (tokenOffset + token.length - 1);
    const tampered = Buffer.from(signed);
    tampered[at] = tampered[at] === 0x30 ? 0x31 : 0x30;
    const read = readPdfSignature(tampered);
    expect(read.valid).toBe(false);
    expect(read.timestamp?.signatureValid).toBe(false);
    expect(read.problems).toContain("time-stamp: the signature does not verify with the signer's certificate");
  });

  it("is applied whenever the signer carries a TSA (the composition root's CUSTOS_TSA_URL)", async () => {
    const stamped = await signPdf(original, { ...signer, timestampUrl: tsa.url }, { reason: 'via the signer' });
    expect(tsa.queries).toHaveLength(1);
    expect(readPdfSignature(stamped).timestamp?.valid).toBe(true);
  });
});

describe('a TSA whose tokens are larger than the placeholder allows for', () => {
  it('gets a second, larger placeholder and a second request, and the result is valid', async () => {
    const chain = path.join(root, 'long-chain.pem');
    fs.writeFileSync(chain, fs.readFileSync(pki.ca.cert, 'utf8').repeat(40)); // ~40 KiB of certificates in every token
    const verbose = await startTsa({ dir: path.join(root, 'verbose'), cert: pki.tsa.cert, key: pki.tsa.key, chain });
    try {
      const signed = await signPdf(original, signer, { reason: 'long chain' }, { timestampUrl: verbose.url });
      expect(verbose.queries).toHaveLength(2);
      const signature = readPdfSignature(signed);
      expect(signature.valid).toBe(true);
      expect(signature.timestamp?.valid).toBe(true);
      expect(signature.cms.length).toBeGreaterThan(8192 + 16384);
      expect(pdfsig(writeTemp(root, 'long-chain.pdf', signed), nss)).toContain('- Signature Validation: Signature is Valid.');
    } finally {
      await verbose.close();
    }
  });
});

describe('a TSA answer that cannot be used is refused, and nothing is signed', () => {
  async function refusal(mode: Tsa['mode']): Promise<SignerError> {
    tsa.mode = mode;
    try {
      await signPdf(original, signer, { reason: 'x' }, { timestampUrl: tsa.url });
    } catch (error) {
      expect(error).toBeInstanceOf(SignerError);
      expect((error as SignerError).code).toBe('tsa');
      return error as SignerError;
    }
    throw new Error('expected the TSA answer to be refused');
  }

  const host = () => new URL(tsa.url).host;

  it('a rejection status, with its text and failure bits', async () => {
    const error = await refusal('reject');
    expect(error.message).toBe(
      `The time-stamping authority at ${host()} refused the request: rejection (Message digest algorithm is not supported.; failInfo badAlg)`,
    );
  });

  it('a token over other data (wrong message imprint)', async () => {
    const error = await refusal('wrong-imprint');
    expect(error.message).toBe(`The time-stamping authority at ${host()} sent a token that was refused: its message imprint is not the hash of the signature value`);
  });

  it('an HTTP error', async () => {
    expect((await refusal('http-error')).message).toBe(`The time-stamping authority at ${host()} answered HTTP 503`);
  });

  it('a TSA that is not there', async () => {
    const gone = await startTsa({ dir: path.join(root, 'gone'), cert: pki.tsa.cert, key: pki.tsa.key });
    const url = gone.url;
    await gone.close();
    await expect(signPdf(original, signer, { reason: 'x' }, { timestampUrl: url })).rejects.toThrow(
      new RegExp(`^The time-stamping authority at ${new URL(url).host.replaceAll('.', '\\.')} could not be reached`),
    );
  });
});
