import 'server-only';
import { X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import { plainAddPlaceholder } from '@signpdf/placeholder-plain';
import { SignPdf } from '@signpdf/signpdf';
import { Signer as PdfSigner, SUBFILTER_ETSI_CADES_DETACHED } from '@signpdf/utils';
import { fingerprintOf, sha256, subjectField } from './certificates';
import { buildCmsSignature } from './cms';
import { OID } from './der';
import { SignerError, type Signer } from './port';
import { attributeValue, certificatesOf, derLength, octets, parseSignedData, verifySignerInfo } from './signed-data';
import { checkTimestampToken, type TimestampInfo } from './timestamp';

// PAdES signing of a finished PDF: an incremental update adds the signature field and a
// placeholder, the CMS over the byte range fills it. Reading checks a signature with nothing but
// the file itself and the certificates inside the CMS.

export type SignatureDetails = { reason: string; location?: string; contactInfo?: string; name?: string };

export type SignPdfOptions = {
  /** The time claimed in the signature dictionary (/M); now by default. */
  signingTime?: Date;
  /** RFC 3161 TSA; defaults to the signer's own. */
  timestampUrl?: string;
};

class PlaceholderTooSmall extends Error {
  constructor(readonly needed: number) {
    super(`the signature needs ${needed} bytes`);
  }
}

class CmsPdfSigner extends PdfSigner {
  constructor(
    private readonly signer: Signer,
    private readonly capacity: number,
    private readonly timestampUrl: string | undefined,
  ) {
    super();
  }

  override async sign(pdfWithoutContents: Buffer): Promise<Buffer> {
    const cms = await buildCmsSignature(this.signer, sha256(pdfWithoutContents), { timestampUrl: this.timestampUrl });
    if (cms.length > this.capacity) throw new PlaceholderTooSmall(cms.length);
    return cms;
  }
}

// @signpdf/placeholder-plain writes text as UTF-8 bytes of a UTF-16 string, which breaks every
// non-ASCII character; keep dictionary text ASCII (accents dropped, the rest as '?').
function ascii(text: string): string {
  return text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/[^\x20-\x7e]/g, '?');
}

/** Signs a finished PDF (PAdES, ETSI.CAdES.detached); the original bytes stay as they were, up to the last %%EOF. */
export async function signPdf(pdf: Buffer, signer: Signer, details: SignatureDetails, options: SignPdfOptions = {}): Promise<Buffer> {
  const identity = await signer.identity();
  const timestampUrl = options.timestampUrl ?? signer.timestampUrl;
  const chainBytes = identity.certificateChain.reduce((sum, der) => sum + der.length, 0);
  let capacity = 8192 + chainBytes + (timestampUrl ? 16384 : 0);
  for (let attempt = 0; ; attempt++) {
    let prepared: Buffer;
    try {
      prepared = plainAddPlaceholder({
        pdfBuffer: pdf,
        reason: ascii(details.reason),
        location: ascii(details.location ?? ''),
        contactInfo: ascii(details.contactInfo ?? ''),
        name: ascii(details.name ?? subjectField(identity.certificateChain[0]!, 'CN') ?? ''),
        signingTime: options.signingTime ?? new Date(),
        signatureLength: capacity,
        subFilter: SUBFILTER_ETSI_CADES_DETACHED,
        appName: 'Custos',
      });
    } catch (error) {
      throw new SignerError(`The PDF cannot take a signature: ${error instanceof Error ? error.message : String(error)}`, 'pdf');
    }
    try {
      return await new SignPdf().sign(prepared, new CmsPdfSigner(signer, capacity, timestampUrl));
    } catch (error) {
      // A time-stamp token can outgrow the estimate: make room once, then give up.
      if (error instanceof PlaceholderTooSmall && attempt === 0) {
        capacity = error.needed + 4096;
        continue;
      }
      if (error instanceof PlaceholderTooSmall) throw new SignerError(`The signature (${error.needed} bytes) does not fit its placeholder`, 'pdf');
      throw error;
    }
  }
}

export type CertificateInfo = {
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  /** SHA-256 of the DER, lowercase hex. */
  fingerprint: string;
  der: Buffer;
};

export type PdfSignature = {
  byteRange: [number, number, number, number];
  /** The CMS SignedData (DER, without the placeholder's zero padding). */
  cms: Buffer;
  /** SHA-256 of the bytes the ByteRange covers, lowercase hex. */
  signedBytesSha256: string;
  subFilter: string | null;
  /** The certificates inside the CMS, as embedded. */
  certificates: CertificateInfo[];
  signerFingerprint: string | null;
  /** The time the signature dictionary claims (/M); the time-stamp, when present, is the proof. */
  signingTime: Date | null;
  reason: string | null;
  timestamp: TimestampInfo | null;
  /** The signed message digest is the SHA-256 of the bytes the ByteRange covers. */
  digestMatches: boolean;
  /** The CMS verifies over the byte range with its own signer certificate (and its time-stamp, if any). */
  valid: boolean;
  /** The byte range starts at 0 and reaches the end of the file: nothing was appended after signing. */
  coversWholeFile: boolean;
  problems: string[];
};

const BYTE_RANGE = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g;

function pdfDate(text: string | undefined): Date | null {
  const m = text?.match(/^D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(Z|[+-]\d{2}'?\d{2}'?)?/);
  if (!m) return null;
  const [, y, mo = '01', d = '01', h = '00', mi = '00', s = '00', zone = 'Z'] = m;
  const offset = zone === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.replaceAll("'", '').slice(3, 5)}`;
  const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}${offset}`);
  return Number.isNaN(date.getTime()) ? null : date;
}

function literal(dictionary: string, key: string): string | undefined {
  const m = dictionary.match(new RegExp(`/${key}\\s*\\(((?:\\\\.|[^\\\\)])*)\\)`));
  return m?.[1]?.replace(/\\([()\\])/g, '$1');
}

function certificateInfo(der: Buffer): CertificateInfo {
  const cert = new X509Certificate(der);
  return {
    subject: cert.subject.replaceAll('\n', ', '),
    issuer: cert.issuer.replaceAll('\n', ', '),
    serialNumber: cert.serialNumber.toLowerCase(),
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
    fingerprint: fingerprintOf(der),
    der,
  };
}

/** The last signature of a PDF, checked cryptographically with the CMS's own certificates. */
export function readPdfSignature(pdf: Buffer): PdfSignature {
  const text = pdf.toString('latin1');
  const match = [...text.matchAll(BYTE_RANGE)].at(-1);
  if (!match) throw new SignerError('The PDF has no signature (no /ByteRange)', 'pdf');
  const byteRange = match.slice(1, 5).map(Number) as [number, number, number, number];
  const [a, b, c, d] = byteRange;
  const problems: string[] = [];
  const sane = a === 0 && b < c && c + d <= pdf.length && text[b] === '<' && text[c - 1] === '>';
  if (!sane) problems.push('the ByteRange does not frame the signature contents');
  const signedBytes = sane ? Buffer.concat([pdf.subarray(a, a + b), pdf.subarray(c, c + d)]) : Buffer.alloc(0);
  const hex = sane ? text.slice(b + 1, c - 1).replace(/\s+/g, '') : '';
  const padded = Buffer.from(hex, 'hex');
  const cms = padded.subarray(0, Math.min(padded.length, derLength(padded) ?? padded.length));

  // The signature dictionary's text, without the /Contents hex.
  const objectStart = Math.max(0, text.lastIndexOf(' obj', match.index));
  const found = text.indexOf('endobj', match.index);
  const objectEnd = found < 0 ? text.length : found;
  const dictionary = sane && c < objectEnd ? text.slice(objectStart, b) + text.slice(c, objectEnd) : text.slice(objectStart, match.index);

  const result: PdfSignature = {
    byteRange,
    cms,
    signedBytesSha256: sha256(signedBytes).toString('hex'),
    subFilter: dictionary.match(/\/SubFilter\s*\/([^\s/>\]]+)/)?.[1] ?? null,
    certificates: [],
    signerFingerprint: null,
    signingTime: pdfDate(literal(dictionary, 'M')),
    reason: literal(dictionary, 'Reason') ?? null,
    timestamp: null,
    digestMatches: false,
    valid: false,
    coversWholeFile: sane && c + d === pdf.length,
    problems,
  };
  if (!sane) return result;
  try {
    const signedData = parseSignedData(cms);
    const certificates = certificatesOf(signedData);
    result.certificates = certificates.map(certificateInfo);
    const check = verifySignerInfo(signedData, signedBytes);
    problems.push(...check.problems);
    result.signerFingerprint = check.signerCertificate ? fingerprintOf(check.signerCertificate) : null;
    result.digestMatches = check.messageDigestMatches;
    const signerInfo = signedData.signerInfos[0];
    const token = signerInfo ? attributeValue(signerInfo, OID.signatureTimeStampToken, true) : undefined;
    if (signerInfo && token instanceof asn1js.Sequence) {
      try {
        result.timestamp = checkTimestampToken(Buffer.from(token.valueBeforeDecodeView), octets(signerInfo.signature));
        problems.push(...result.timestamp.problems.map((p) => `time-stamp: ${p}`));
      } catch (error) {
        problems.push(`time-stamp: unreadable token (${error instanceof Error ? error.message : String(error)})`);
      }
    }
    result.valid = problems.length === 0 && check.signatureValid && check.messageDigestMatches;
  } catch (error) {
    problems.push(`the signature contents are not a readable CMS SignedData: ${error instanceof Error ? error.message : String(error)}`);
  }
  return result;
}
