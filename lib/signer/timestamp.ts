import 'server-only';
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import { TimeStampResp, TSTInfo } from 'pkijs';
import { algorithm, boolean, octetString, OID, sequence, smallInteger, unsignedInteger } from './der';
import { SignerError } from './port';
import { HASHES, octets, parseSignedData, verifySignerInfo } from './signed-data';

// RFC 3161: a time-stamp token over a signature value (PAdES B-T), asked of a time-stamping
// authority over HTTP, and checked before it is embedded or trusted.

const STATUS = ['granted', 'grantedWithMods', 'rejection', 'waiting', 'revocationWarning', 'revocationNotification'];
const FAILURES: Record<number, string> = {
  0: 'badAlg',
  2: 'badRequest',
  5: 'badDataFormat',
  14: 'timeNotAvailable',
  15: 'unacceptedPolicy',
  16: 'unacceptedExtension',
  17: 'addInfoNotAvailable',
  25: 'systemFailure',
};

export type TimestampInfo = {
  genTime: Date;
  /** Serial number of the token, hex. */
  serialNumber: string;
  policy: string;
  /** Subject of the TSA's certificate, from the token's own certificates. */
  authority: string | null;
  /** The token's message imprint is the hash of the data it is meant to stamp. */
  imprintMatches: boolean;
  /** The TSA's signature over the token verifies, and its certificate is for time-stamping. */
  signatureValid: boolean;
  valid: boolean;
  problems: string[];
};

/** DER TimeStampReq: SHA-256 imprint of `data`, a nonce, and the TSA's certificate asked for. */
export function timestampRequest(data: Buffer, nonce: Buffer): Buffer {
  const imprint = sequence(algorithm(OID.sha256), octetString(createHash('sha256').update(data).digest()));
  return sequence(smallInteger(1), imprint, unsignedInteger(nonce), boolean(true));
}

function failures(bits: asn1js.BitString | undefined): string[] {
  if (!bits) return [];
  const bytes = bits.valueBlock.valueHexView;
  const out: string[] = [];
  for (let i = 0; i < bytes.length * 8 - bits.valueBlock.unusedBits; i++) {
    if ((bytes[i >> 3]! >> (7 - (i & 7))) & 1) out.push(FAILURES[i] ?? `bit ${i}`);
  }
  return out;
}

const asNumber = (bytes: Uint8Array): bigint => BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);

/** Checks a time-stamp token (ContentInfo DER) against the data it should stamp, and the nonce asked for. */
export function checkTimestampToken(token: Buffer, data: Buffer, nonce?: Buffer): TimestampInfo {
  const signedData = parseSignedData(token);
  const problems: string[] = [];
  if (signedData.encapContentInfo.eContentType !== OID.tstInfo || !signedData.encapContentInfo.eContent) {
    throw new Error('the token does not hold TSTInfo');
  }
  const tstInfoDer = octets(signedData.encapContentInfo.eContent);
  const tst = TSTInfo.fromBER(new Uint8Array(tstInfoDer));
  const hash = HASHES[tst.messageImprint.hashAlgorithm.algorithmId];
  const imprintMatches = hash !== undefined && createHash(hash).update(data).digest().equals(octets(tst.messageImprint.hashedMessage));
  if (!imprintMatches) problems.push('its message imprint is not the hash of the signature value');
  if (nonce && !(tst.nonce && asNumber(tst.nonce.valueBlock.valueHexView) === asNumber(nonce))) {
    problems.push('its nonce is not the one asked for');
  }
  const check = verifySignerInfo(signedData, tstInfoDer);
  problems.push(...check.problems);
  const tsaCertificate = check.signerCertificate ? new X509Certificate(check.signerCertificate) : null;
  const forTimeStamping = tsaCertificate?.keyUsage?.includes(OID.timeStamping) ?? false;
  if (tsaCertificate && !forTimeStamping) problems.push("the TSA's certificate is not for time-stamping");
  const signatureValid = check.signatureValid && check.messageDigestMatches && forTimeStamping;
  return {
    genTime: tst.genTime,
    serialNumber: Buffer.from(tst.serialNumber.valueBlock.valueHexView).toString('hex'),
    policy: tst.policy,
    authority: tsaCertificate?.subject.replaceAll('\n', ', ') ?? null,
    imprintMatches,
    signatureValid,
    valid: problems.length === 0,
    problems,
  };
}

/** Asks the TSA at `url` for a token over `data`; refuses a response that is not a good token for it. */
export async function requestTimestamp(url: string, data: Buffer, timeoutMs = 30_000): Promise<Buffer> {
  const where = `The time-stamping authority at ${new URL(url).host}`;
  const nonce = randomBytes(8);
  let body: Buffer;
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/timestamp-query', accept: 'application/timestamp-reply' },
      body: new Uint8Array(timestampRequest(data, nonce)),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) throw new SignerError(`${where} answered HTTP ${response.status}`, 'tsa');
    body = Buffer.from(await response.arrayBuffer());
  } catch (error) {
    if (error instanceof SignerError) throw error;
    throw new SignerError(`${where} could not be reached: ${error instanceof Error ? error.message : String(error)}`, 'tsa');
  }
  let token: Buffer;
  try {
    const parsed = asn1js.fromBER(new Uint8Array(body));
    const response = TimeStampResp.fromBER(new Uint8Array(body));
    const status = response.status.status;
    if (status !== 0 && status !== 1) {
      const text = (response.status.statusStrings ?? []).map((s) => s.valueBlock.value).join('; ');
      const failed = failures(response.status.failInfo);
      const detail = [text, failed.length ? `failInfo ${failed.join(', ')}` : ''].filter(Boolean).join('; ');
      throw new SignerError(`${where} refused the request: ${STATUS[status] ?? `status ${status}`}${detail ? ` (${detail})` : ''}`, 'tsa');
    }
    const element = (parsed.result as asn1js.Sequence).valueBlock.value[1];
    if (!element) throw new SignerError(`${where} granted the request but sent no token`, 'tsa');
    token = Buffer.from(element.valueBeforeDecodeView);
  } catch (error) {
    if (error instanceof SignerError) throw error;
    throw new SignerError(`${where} sent a response that is not an RFC 3161 TimeStampResp`, 'tsa');
  }
  let info: TimestampInfo;
  try {
    info = checkTimestampToken(token, data, nonce);
  } catch (error) {
    throw new SignerError(`${where} sent an unreadable token: ${error instanceof Error ? error.message : String(error)}`, 'tsa');
  }
  if (!info.valid) throw new SignerError(`${where} sent a token that was refused: ${info.problems.join('; ')}`, 'tsa');
  return token;
}
