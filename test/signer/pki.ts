// Test certificates made at test time with the openssl command line (an implementation
// independent of the code under test): a site CA, certificates it issued to a PKCS #12 signer, to
// a TSA and to two "KMS-held" keys, whose private halves stand in for AWS KMS.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export function openssl(args: string[], input?: Buffer): Buffer {
  return execFileSync('openssl', args, { input, stdio: ['pipe', 'pipe', 'pipe'] });
}

/** openssl's exit status and both outputs (some commands report on stderr). */
export function opensslRun(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('openssl', args, { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export type IssuedKey = { key: string; cert: string };

export type TestPki = {
  dir: string;
  ca: IssuedKey;
  /** A PKCS #12 with a CA-issued RSA key, its certificate and the CA certificate. */
  siteSigner: IssuedKey & { p12: string; password: string };
  /** The same for an EC P-256 key (the local signer refuses it). */
  ecSigner: IssuedKey & { p12: string; password: string };
  tsa: IssuedKey;
  /** Keys standing in for KMS keys; `chain` is certificate + CA in one PEM file. */
  kmsRsa: IssuedKey & { chain: string };
  kmsEc: IssuedKey & { chain: string };
};

const SIGNER_EXTENSIONS = [
  'basicConstraints=critical,CA:false',
  'keyUsage=critical,digitalSignature,nonRepudiation',
  'extendedKeyUsage=emailProtection',
  'subjectKeyIdentifier=hash',
  'authorityKeyIdentifier=keyid',
];
const TSA_EXTENSIONS = [
  'basicConstraints=critical,CA:false',
  'keyUsage=critical,digitalSignature',
  'extendedKeyUsage=critical,timeStamping',
  'subjectKeyIdentifier=hash',
  'authorityKeyIdentifier=keyid',
];

let serial = 0x1000;

function newKey(file: string, type: 'rsa' | 'ec'): void {
  const options = type === 'rsa' ? ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'] : ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'];
  openssl(['genpkey', ...options, '-out', file]);
}

function issue(dir: string, name: string, subject: string, type: 'rsa' | 'ec', extensions: string[], ca: IssuedKey): IssuedKey {
  const key = path.join(dir, `${name}.key`);
  const csr = path.join(dir, `${name}.csr`);
  const cert = path.join(dir, `${name}.pem`);
  const ext = path.join(dir, `${name}.ext`);
  newKey(key, type);
  openssl(['req', '-new', '-key', key, '-subj', subject, '-out', csr]);
  fs.writeFileSync(ext, `${extensions.join('\n')}\n`);
  openssl(['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-set_serial', String(serial++), '-days', '3650', '-sha256', '-extfile', ext, '-out', cert]);
  return { key, cert };
}

function p12(dir: string, name: string, issued: IssuedKey, ca: IssuedKey, password: string): string {
  const file = path.join(dir, `${name}.p12`);
  openssl(['pkcs12', '-export', '-inkey', issued.key, '-in', issued.cert, '-certfile', ca.cert, '-name', name, '-passout', `pass:${password}`, '-out', file]);
  return file;
}

export function createTestPki(dir: string): TestPki {
  fs.mkdirSync(dir, { recursive: true });
  const ca = { key: path.join(dir, 'ca.key'), cert: path.join(dir, 'ca.pem') };
  newKey(ca.key, 'rsa');
  openssl([
    'req', '-x509', '-new', '-key', ca.key, '-subj', '/O=Custos Test Hospital/CN=Custos Test Site CA', '-days', '3650', '-sha256',
    '-addext', 'basicConstraints=critical,CA:true', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', ca.cert,
  ]);
  const password = 'site p12 passphrase';
  const site = issue(dir, 'site-signer', '/O=Custos Test Hospital/CN=Evidence signer (site CA)', 'rsa', SIGNER_EXTENSIONS, ca);
  const ec = issue(dir, 'ec-signer', '/O=Custos Test Hospital/CN=EC evidence signer', 'ec', SIGNER_EXTENSIONS, ca);
  const tsa = issue(dir, 'tsa', '/O=Custos Test Hospital/CN=Custos Test TSA', 'rsa', TSA_EXTENSIONS, ca);
  const kmsRsa = issue(dir, 'kms-rsa', '/O=Custos Test Hospital/CN=Evidence signer (KMS RSA)', 'rsa', SIGNER_EXTENSIONS, ca);
  const kmsEc = issue(dir, 'kms-ec', '/O=Custos Test Hospital/CN=Evidence signer (KMS ECDSA)', 'ec', SIGNER_EXTENSIONS, ca);
  const chain = (issued: IssuedKey, name: string) => {
    const file = path.join(dir, `${name}-chain.pem`);
    fs.writeFileSync(file, fs.readFileSync(issued.cert, 'utf8') + fs.readFileSync(ca.cert, 'utf8'));
    return { ...issued, chain: file };
  };
  return {
    dir,
    ca,
    siteSigner: { ...site, p12: p12(dir, 'site-signer', site, ca, password), password },
    ecSigner: { ...ec, p12: p12(dir, 'ec-signer', ec, ca, password), password },
    tsa,
    kmsRsa: chain(kmsRsa, 'kms-rsa'),
    kmsEc: chain(kmsEc, 'kms-ec'),
  };
}

/** What a KMS key does with a digest, done by openssl with the stand-in private key (PKCS #1 v1.5 or DER ECDSA). */
export function signDigest(keyFile: string, digest: Buffer): Buffer {
  return openssl(['pkeyutl', '-sign', '-inkey', keyFile, '-pkeyopt', 'digest:sha256'], digest);
}

/** DER SubjectPublicKeyInfo of a key file, as KMS GetPublicKey returns it. */
export function publicKeyDer(keyFile: string): Buffer {
  return openssl(['pkey', '-in', keyFile, '-pubout', '-outform', 'DER']);
}
