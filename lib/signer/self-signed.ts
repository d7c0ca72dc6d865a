import 'server-only';
import { generateKeyPair, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';

// The embedded default's own key and self-signed certificate, made once per data directory.
// RSA 3072: Node signs a precomputed digest with RSA (PKCS #1 v1.5) but not with ECDSA.

export const SIGNER_COMMON_NAME = 'Custos evidence signer';
const VALIDITY_YEARS = 10;
// RFC 9336 id-kp-documentSigning; emailProtection is what NSS (poppler) and Adobe look for.
const DOCUMENT_SIGNING = '1.3.6.1.5.5.7.3.36';

export type CreatedKey = { privateKeyPem: string; certificate: Buffer };

export async function createSelfSignedKey(installation: string, now: Date = new Date()): Promise<CreatedKey> {
  const { privateKey, publicKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 3072 });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = `01${randomBytes(15).toString('hex')}`;
  const notBefore = new Date(now.getTime() - 5 * 60_000); // validators' clocks may run a little behind
  const notAfter = new Date(notBefore);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + VALIDITY_YEARS);
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
  const utf8 = forge.asn1.Type.UTF8 as unknown as forge.asn1.Class; // @types/node-forge mistypes valueTagClass
  const name: forge.pki.CertificateField[] = [
    { name: 'commonName', value: SIGNER_COMMON_NAME, valueTagClass: utf8 },
    { name: 'organizationName', value: 'Custos', valueTagClass: utf8 },
    { shortName: 'OU', value: installation.slice(0, 64), valueTagClass: utf8 },
  ];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true },
    { name: 'extKeyUsage', emailProtection: true, [DOCUMENT_SIGNING]: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(privateKeyPem), forge.md.sha256.create());
  const certificate = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
  return { privateKeyPem, certificate };
}
