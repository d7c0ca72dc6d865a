import 'server-only';
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { algorithm, sequence, tlv } from './der';

// Reading a PKCS #12 file (OpenSSL 3's AES/PBKDF2 default as well as legacy 3DES/RC2) with
// node-forge, handing back Node key objects and certificate DER.

const ECDSA_SIGNATURES = new Set(['1.2.840.10045.4.3.2', '1.2.840.10045.4.3.3', '1.2.840.10045.4.3.4']);

export type Pkcs12Contents = { privateKey: KeyObject; certificates: Buffer[] };

const fromForge = (bytes: string): Buffer => Buffer.from(bytes, 'binary');

// forge re-encodes a parsed certificate and writes NULL parameters for ECDSA signatures, which
// RFC 5758 forbids; rebuild those around the untouched TBSCertificate.
function certificateDer(cert: forge.pki.Certificate): Buffer {
  const withTbs = cert as forge.pki.Certificate & { tbsCertificate: forge.asn1.Asn1 };
  if (!ECDSA_SIGNATURES.has(cert.signatureOid ?? '')) return fromForge(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes());
  const tbs = fromForge(forge.asn1.toDer(withTbs.tbsCertificate).getBytes());
  const signature = tlv(0x03, Buffer.from([0]), fromForge(cert.signature as string));
  return sequence(tbs, algorithm(cert.signatureOid!), signature);
}

type Bag = { key?: forge.pki.PrivateKey | null; cert?: forge.pki.Certificate | null; asn1?: forge.asn1.Asn1 };

/** Throws a plain Error for a wrong password or a file that is not PKCS #12. */
export function readPkcs12(bytes: Buffer, password: string): Pkcs12Contents {
  const p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(bytes.toString('binary')), false, password);
  const bagsOf = (bagType: string): Bag[] => (p12.getBags({ bagType })[bagType] ?? []) as Bag[];
  const keyBag = [...bagsOf(forge.pki.oids.pkcs8ShroudedKeyBag!), ...bagsOf(forge.pki.oids.keyBag!)][0];
  if (!keyBag) throw new Error('it holds no private key');
  const pkcs8 = keyBag.key
    ? forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(keyBag.key as forge.pki.rsa.PrivateKey))
    : keyBag.asn1!;
  const privateKey = createPrivateKey({ key: fromForge(forge.asn1.toDer(pkcs8).getBytes()), format: 'der', type: 'pkcs8' });
  const certificates = bagsOf(forge.pki.oids.certBag!).map((bag) =>
    bag.cert ? certificateDer(bag.cert) : fromForge(forge.asn1.toDer(bag.asn1!).getBytes()),
  );
  // A certificate whose issuer is in the file must still verify under it after the round trip.
  const parsed = certificates.map((der) => new X509Certificate(der));
  for (const cert of parsed) {
    const issuer = parsed.find((candidate) => cert.checkIssued(candidate));
    if (issuer && !cert.verify(issuer.publicKey)) throw new Error(`the certificate ${cert.subject.replaceAll('\n', ', ')} could not be read faithfully`);
  }
  return { privateKey, certificates };
}
