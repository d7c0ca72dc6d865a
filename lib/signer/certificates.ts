// Certificates as the signer handles them: DER buffers, their SHA-256 fingerprints, PEM in and out,
// chains put in order from the signer's own certificate up.
import { createHash, X509Certificate, type KeyObject } from 'node:crypto';
import { SignerError, type SignatureAlgorithm, type SignerIdentity } from './port';

export function sha256(bytes: Buffer): Buffer {
  return createHash('sha256').update(bytes).digest();
}

/** SHA-256 of a certificate's DER, lowercase hex (what `openssl x509 -fingerprint -sha256` prints, without colons). */
export function fingerprintOf(der: Buffer): string {
  return sha256(der).toString('hex');
}

/** Every CERTIFICATE block of a PEM text, as DER, in file order. */
export function certificatesFromPem(pem: string): Buffer[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((block) => new X509Certificate(block).raw);
}

export function toPem(der: Buffer, label = 'CERTIFICATE'): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

function spki(key: KeyObject): Buffer {
  return key.export({ type: 'spki', format: 'der' });
}

/** The certificate among `certificates` that carries this public key. */
export function certificateForKey(publicKey: KeyObject, certificates: Buffer[]): Buffer | undefined {
  const wanted = spki(publicKey);
  return certificates.find((der) => spki(new X509Certificate(der).publicKey).equals(wanted));
}

/** How a key of this type signs here: RSA with PKCS #1 v1.5, EC P-256 with ECDSA, both over SHA-256. */
export function signatureAlgorithmOf(publicKey: KeyObject): SignatureAlgorithm {
  if (publicKey.asymmetricKeyType === 'rsa') return 'RSASSA_PKCS1_V1_5_SHA_256';
  if (publicKey.asymmetricKeyType === 'ec' && publicKey.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ECDSA_SHA_256';
  const curve = publicKey.asymmetricKeyDetails?.namedCurve;
  throw new SignerError(`Unsupported signing key type ${publicKey.asymmetricKeyType}${curve ? ` (${curve})` : ''}: use an RSA or an EC P-256 key`, 'key');
}

/** The leaf, then each certificate's issuer found among `others`, until a self-signed one or none. */
export function orderChain(leaf: Buffer, others: Buffer[]): Buffer[] {
  const pool = others.filter((der) => !der.equals(leaf)).map((der) => new X509Certificate(der));
  const chain = [leaf];
  let current = new X509Certificate(leaf);
  while (current.issuer !== current.subject) {
    const issuer = pool.find((candidate) => current.checkIssued(candidate) && current.verify(candidate.publicKey));
    if (!issuer) break;
    chain.push(issuer.raw);
    pool.splice(pool.indexOf(issuer), 1);
    current = issuer;
  }
  return chain;
}

/** Refuses a signer certificate outside its validity period: validators would reject every signature. */
export function assertCurrent(leaf: Buffer, now: Date = new Date()): void {
  const certificate = new X509Certificate(leaf);
  if (now < new Date(certificate.validFrom)) {
    throw new SignerError(`The signing certificate is not valid before ${new Date(certificate.validFrom).toISOString()}`, 'key');
  }
  if (now > new Date(certificate.validTo)) {
    throw new SignerError(`The signing certificate expired on ${new Date(certificate.validTo).toISOString()}`, 'key');
  }
}

export function identityOf(algorithm: SignatureAlgorithm, chain: Buffer[]): SignerIdentity {
  const leaf = chain[0];
  if (!leaf) throw new SignerError('The signer has no certificate', 'key');
  return { algorithm, certificateChain: chain, fingerprint: fingerprintOf(leaf) };
}

/** The value of one attribute (CN, O …) in a certificate's subject, as Node prints it. */
export function subjectField(der: Buffer, field: string): string | undefined {
  const line = new X509Certificate(der).subject.split('\n').find((l) => l.startsWith(`${field}=`));
  return line?.slice(field.length + 1);
}
