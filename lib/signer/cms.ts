import 'server-only';
import { constants, verify, X509Certificate } from 'node:crypto';
import { Certificate } from 'pkijs';
import { sha256 } from './certificates';
import { algorithm, objectIdentifier, octetString, OID, sequence, setOf, smallInteger, tagged, tlv } from './der';
import { SignerError, type Signer, type SignerIdentity } from './port';
import { requestTimestamp } from './timestamp';

// The CMS SignedData of a PAdES signature (SubFilter ETSI.CAdES.detached, baseline B-B, or B-T with
// a time-stamp): detached content, signed attributes content-type, message-digest and
// signing-certificate-v2, no signing-time (PAdES puts the claimed time in the dictionary's /M).

function attribute(oid: string, value: Buffer): Buffer {
  return sequence(objectIdentifier(oid), setOf(value));
}

/** ESSCertIDv2 of the signer's certificate: SHA-256 (the default, so omitted) and issuer + serial. */
function signingCertificateV2(leaf: Buffer, issuer: Buffer, serial: Buffer): Buffer {
  const issuerSerial = sequence(sequence(tagged(4, issuer)), serial);
  return sequence(sequence(sequence(octetString(sha256(leaf)), issuerSerial)));
}

/** The certificate's issuer Name and serialNumber INTEGER, as encoded in it. */
function issuerAndSerial(certificate: Buffer): { issuer: Buffer; serial: Buffer } {
  const parsed = Certificate.fromBER(new Uint8Array(certificate));
  return { issuer: Buffer.from(parsed.issuer.toSchema().toBER(false)), serial: Buffer.from(parsed.serialNumber.toBER(false)) };
}

/** The DER SET OF signed attributes; its SHA-256 is what the key signs. */
function signedAttributes(leaf: Buffer, contentDigest: Buffer): Buffer {
  const { issuer, serial } = issuerAndSerial(leaf);
  return setOf(
    attribute(OID.contentType, objectIdentifier(OID.data)),
    attribute(OID.messageDigest, octetString(contentDigest)),
    attribute(OID.signingCertificateV2, signingCertificateV2(leaf, issuer, serial)),
  );
}

function signatureAlgorithm(identity: SignerIdentity): Buffer {
  return identity.algorithm === 'ECDSA_SHA_256' ? algorithm(OID.ecdsaWithSha256) : algorithm(OID.rsaEncryption, true);
}

/** Checks the key's answer before it is embedded: a key that does not match its certificate fails here. */
function assertSignatureVerifies(identity: SignerIdentity, attributes: Buffer, signature: Buffer): void {
  const key = new X509Certificate(identity.certificateChain[0]!).publicKey;
  const options = identity.algorithm === 'ECDSA_SHA_256' ? key : { key, padding: constants.RSA_PKCS1_PADDING };
  let ok = false;
  try {
    ok = verify('sha256', attributes, options, signature);
  } catch {
    ok = false;
  }
  if (!ok) throw new SignerError("The signer's key produced a signature its certificate does not verify: the key and the certificate do not belong together", 'key');
}

export type CmsOptions = {
  /** RFC 3161 TSA to stamp the signature value (unsigned attribute signature-time-stamp-token). */
  timestampUrl?: string;
};

/** A DER ContentInfo(SignedData) signing `contentDigest` (SHA-256 of the PDF's byte range). */
export async function buildCmsSignature(signer: Signer, contentDigest: Buffer, options: CmsOptions = {}): Promise<Buffer> {
  if (contentDigest.length !== 32) throw new SignerError('The content digest must be a SHA-256 value (32 bytes)', 'pdf');
  const identity = await signer.identity();
  const leaf = identity.certificateChain[0]!;
  const attributes = signedAttributes(leaf, contentDigest);
  const signature = await signer.sign(sha256(attributes));
  assertSignatureVerifies(identity, attributes, signature);

  const { issuer, serial } = issuerAndSerial(leaf);
  const fields = [
    smallInteger(1),
    sequence(issuer, serial),
    algorithm(OID.sha256),
    Buffer.concat([Buffer.from([0xa0]), attributes.subarray(1)]), // [0] IMPLICIT over the same SET
    signatureAlgorithm(identity),
    octetString(signature),
  ];
  if (options.timestampUrl) {
    const token = await requestTimestamp(options.timestampUrl, signature);
    fields.push(tagged(1, attribute(OID.signatureTimeStampToken, token)));
  }
  const signedData = sequence(
    smallInteger(1),
    setOf(algorithm(OID.sha256)),
    sequence(objectIdentifier(OID.data)),
    tlv(0xa0, ...identity.certificateChain), // leaf first, as most validators look for it
    setOf(sequence(...fields)),
  );
  return sequence(objectIdentifier(OID.signedData), tagged(0, signedData));
}
