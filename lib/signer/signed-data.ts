// Reading a CMS SignedData and checking its one SignerInfo against the content it claims to sign,
// with nothing but the structure's own certificates: the document signature and a TSA's token alike.
import { constants, createHash, verify, X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import { Certificate, ContentInfo, IssuerAndSerialNumber, SignedData, type SignerInfo } from 'pkijs';
import { OID } from './der';

/** Node's hash name for a SHA-2 digest algorithm OID. */
export const HASHES: Record<string, string> = { [OID.sha256]: 'sha256', [OID.sha384]: 'sha384', [OID.sha512]: 'sha512' };
const SIGNATURES: Record<string, { kind: 'rsa' | 'ecdsa'; hash?: string }> = {
  [OID.rsaEncryption]: { kind: 'rsa' },
  [OID.sha256WithRSAEncryption]: { kind: 'rsa', hash: 'sha256' },
  '1.2.840.113549.1.1.12': { kind: 'rsa', hash: 'sha384' },
  '1.2.840.113549.1.1.13': { kind: 'rsa', hash: 'sha512' },
  [OID.ecdsaWithSha256]: { kind: 'ecdsa', hash: 'sha256' },
  '1.2.840.10045.4.3.3': { kind: 'ecdsa', hash: 'sha384' },
  '1.2.840.10045.4.3.4': { kind: 'ecdsa', hash: 'sha512' },
};

/** The length of the DER element at the start of `bytes` (header included), or null when it is not one. */
export function derLength(bytes: Buffer): number | null {
  if (bytes.length < 2) return null;
  const first = bytes[1]!;
  if (first < 0x80) return 2 + first;
  const count = first & 0x7f;
  if (count === 0 || count > 4 || bytes.length < 2 + count) return null;
  let n = 0;
  for (let i = 0; i < count; i++) n = n * 256 + bytes[2 + i]!;
  return 2 + count + n;
}

/** A ContentInfo holding SignedData (trailing padding, as in a PDF's /Contents, is ignored). */
export function parseSignedData(bytes: Buffer): SignedData {
  const length = derLength(bytes);
  if (length === null || length > bytes.length) throw new Error('not a DER-encoded CMS structure');
  const info = ContentInfo.fromBER(new Uint8Array(bytes.subarray(0, length)));
  if (info.contentType !== OID.signedData) throw new Error(`CMS content type ${info.contentType} is not SignedData`);
  return new SignedData({ schema: info.content });
}

/** The embedded certificates, as the DER they were embedded as. */
export function certificatesOf(signedData: SignedData): Buffer[] {
  return (signedData.certificates ?? [])
    .filter((c): c is Certificate => c instanceof Certificate)
    .map((c) => Buffer.from(c.toSchema(false).toBER(false)));
}

/** The bytes of an OCTET STRING, constructed (BER) or not. */
export function octets(value: asn1js.OctetString): Buffer {
  return Buffer.from(value.getValue());
}

export function attributeValue(signerInfo: SignerInfo, oid: string, unsigned = false): unknown {
  const attributes = (unsigned ? signerInfo.unsignedAttrs : signerInfo.signedAttrs)?.attributes ?? [];
  return attributes.find((a) => a.type === oid)?.values[0];
}

function signerCertificate(signerInfo: SignerInfo, certificates: Buffer[]): Buffer | null {
  const sid = signerInfo.sid;
  // sid is IssuerAndSerialNumber, or [0] SubjectKeyIdentifier (an implicitly tagged OCTET STRING)
  const keyId = sid instanceof asn1js.Primitive ? Buffer.from(sid.valueBlock.valueHexView) : null;
  for (const der of certificates) {
    const cert = Certificate.fromBER(new Uint8Array(der));
    if (sid instanceof IssuerAndSerialNumber && cert.issuer.isEqual(sid.issuer) && cert.serialNumber.isEqual(sid.serialNumber)) return der;
    const ski = cert.extensions?.find((e) => e.extnID === '2.5.29.14')?.parsedValue;
    if (keyId && ski instanceof asn1js.OctetString && octets(ski).equals(keyId)) return der;
  }
  return null;
}

/** ESSCertIDv2 of signing-certificate-v2: does its hash name this certificate? null when the attribute is absent. */
function signingCertificateMatches(signerInfo: SignerInfo, certificate: Buffer): boolean | null {
  const value = attributeValue(signerInfo, OID.signingCertificateV2);
  if (!(value instanceof asn1js.Sequence)) return null;
  const certs = value.valueBlock.value[0];
  const first = certs instanceof asn1js.Sequence ? certs.valueBlock.value[0] : undefined;
  if (!(first instanceof asn1js.Sequence)) return false;
  // ESSCertIDv2 ::= SEQUENCE { hashAlgorithm DEFAULT sha256, certHash OCTET STRING, issuerSerial OPTIONAL }
  const [head, next] = first.valueBlock.value;
  const algorithm = head instanceof asn1js.Sequence ? head.valueBlock.value[0] : undefined;
  const hash = head instanceof asn1js.Sequence ? next : head;
  const hashName = algorithm === undefined ? 'sha256' : algorithm instanceof asn1js.ObjectIdentifier ? HASHES[algorithm.valueBlock.toString()] : undefined;
  if (!hashName || !(hash instanceof asn1js.OctetString)) return false;
  return createHash(hashName).update(certificate).digest().equals(octets(hash));
}

export type SignerInfoCheck = {
  /** The signer's certificate, found among the embedded ones. */
  signerCertificate: Buffer | null;
  /** The signed message-digest attribute equals the content's hash. */
  messageDigestMatches: boolean;
  /** The signature over the signed attributes verifies with the signer certificate's key. */
  signatureValid: boolean;
  /** signing-certificate-v2 names the signer certificate; null when absent. */
  signingCertificateMatches: boolean | null;
  problems: string[];
};

/** Checks the first SignerInfo against `content` (the detached content, or the encapsulated one). */
export function verifySignerInfo(signedData: SignedData, content: Buffer): SignerInfoCheck {
  const problems: string[] = [];
  const result: SignerInfoCheck = { signerCertificate: null, messageDigestMatches: false, signatureValid: false, signingCertificateMatches: null, problems };
  const signerInfo = signedData.signerInfos[0];
  if (!signerInfo || signedData.signerInfos.length !== 1) {
    problems.push(`expected one SignerInfo, found ${signedData.signerInfos.length}`);
    if (!signerInfo) return result;
  }
  const hash = HASHES[signerInfo.digestAlgorithm.algorithmId];
  const scheme = SIGNATURES[signerInfo.signatureAlgorithm.algorithmId];
  if (!hash) problems.push(`unsupported digest algorithm ${signerInfo.digestAlgorithm.algorithmId}`);
  if (!scheme) problems.push(`unsupported signature algorithm ${signerInfo.signatureAlgorithm.algorithmId}`);
  result.signerCertificate = signerCertificate(signerInfo, certificatesOf(signedData));
  if (!result.signerCertificate) problems.push("the signer's certificate is not among the embedded certificates");
  if (!signerInfo.signedAttrs) {
    problems.push('the SignerInfo has no signed attributes');
    return result;
  }
  const contentType = attributeValue(signerInfo, OID.contentType);
  if (!(contentType instanceof asn1js.ObjectIdentifier) || contentType.valueBlock.toString() !== signedData.encapContentInfo.eContentType) {
    problems.push('the content-type attribute does not match the content');
  }
  const digest = attributeValue(signerInfo, OID.messageDigest);
  if (hash && digest instanceof asn1js.OctetString) {
    result.messageDigestMatches = createHash(hash).update(content).digest().equals(octets(digest));
  }
  if (!result.messageDigestMatches) problems.push('the message digest does not match the signed bytes');
  if (hash && scheme && result.signerCertificate) {
    const key = new X509Certificate(result.signerCertificate).publicKey;
    const signedAttributes = Buffer.from(signerInfo.signedAttrs.encodedValue);
    const signature = octets(signerInfo.signature);
    try {
      result.signatureValid =
        scheme.kind === 'rsa'
          ? verify(scheme.hash ?? hash, signedAttributes, { key, padding: constants.RSA_PKCS1_PADDING }, signature)
          : verify(scheme.hash ?? hash, signedAttributes, key, signature);
    } catch {
      result.signatureValid = false;
    }
    if (!result.signatureValid) problems.push("the signature does not verify with the signer's certificate");
    result.signingCertificateMatches = signingCertificateMatches(signerInfo, result.signerCertificate);
    if (result.signingCertificateMatches === false) problems.push('the signing-certificate-v2 attribute names another certificate');
  }
  return result;
}
