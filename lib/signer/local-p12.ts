import 'server-only';
import { constants, createPrivateKey, createPublicKey, privateEncrypt, randomUUID, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { assertCurrent, certificateForKey, certificatesFromPem, identityOf, orderChain, signatureAlgorithmOf, toPem } from './certificates';
import { readPkcs12 } from './pkcs12';
import { SignerError, type Signer, type SignerIdentity } from './port';
import { createSelfSignedKey } from './self-signed';

// The local signer: the key lives on this machine. Either a configured PKCS #12 (a certificate a
// site CA issued, with its chain) or the embedded default, created on first use in the data
// directory as one owner-only PEM file (the private key, then the self-signed certificate).

export type LocalSignerConfig = {
  /** Where the embedded default keeps its key: `<dataDir>/signer` (0700). */
  dir: string;
  /** Names this installation in the embedded default's certificate (subject OU). */
  installation: string;
  /** A configured PKCS #12 used instead of the embedded default. */
  p12?: { path: string; password: string };
};

export const DEFAULT_KEY_FILE = 'signer.pem';

// PKCS #1 v1.5 DigestInfo prefix for SHA-256: with it, a raw RSA private operation is a signature
// over a digest computed elsewhere (Node's sign() would hash again).
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

type LoadedKey = { identity: SignerIdentity; key: KeyObject };

function loadedKey(key: KeyObject, certificates: Buffer[], source: string): LoadedKey {
  const publicKey = createPublicKey(key);
  const algorithm = signatureAlgorithmOf(publicKey);
  if (algorithm !== 'RSASSA_PKCS1_V1_5_SHA_256') {
    throw new SignerError(`${source} holds an EC key: the local signer signs with RSA keys (CUSTOS_SIGNER=kms signs with ECDSA)`, 'key');
  }
  const leaf = certificateForKey(publicKey, certificates);
  if (!leaf) throw new SignerError(`${source} holds no certificate for its private key`, 'key');
  assertCurrent(leaf);
  return { identity: identityOf(algorithm, orderChain(leaf, certificates)), key };
}

function loadP12(p12: { path: string; password: string }): LoadedKey {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(p12.path);
  } catch {
    throw new SignerError(`CUSTOS_SIGNER_P12: cannot read ${p12.path}`, 'config');
  }
  try {
    const { privateKey, certificates } = readPkcs12(bytes, p12.password);
    return loadedKey(privateKey, certificates, `CUSTOS_SIGNER_P12 (${p12.path})`);
  } catch (error) {
    if (error instanceof SignerError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new SignerError(`CUSTOS_SIGNER_P12: ${p12.path} could not be opened (wrong CUSTOS_SIGNER_P12_PASSWORD, or not a PKCS #12 file): ${reason}`, 'config');
  }
}

function writeOwnerOnly(file: string, text: string): void {
  const fd = fs.openSync(file, 'wx', 0o600);
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

async function createDefault(file: string, installation: string): Promise<void> {
  const { privateKeyPem, certificate } = await createSelfSignedKey(installation);
  const temp = `${file}.${randomUUID()}.tmp`;
  writeOwnerOnly(temp, privateKeyPem + toPem(certificate));
  try {
    fs.linkSync(temp, file); // appears whole or not at all; a second process loses the race
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    fs.rmSync(temp, { force: true });
  }
}

function readDefault(file: string): LoadedKey {
  if (fs.statSync(file).mode & 0o077) {
    throw new SignerError(`${file} is readable by other users: make it owner-only (chmod 600), or delete it to create a new key`, 'key');
  }
  const text = fs.readFileSync(file, 'utf8');
  const keyPem = text.match(/-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----/)?.[0];
  if (!keyPem) throw new SignerError(`${file} holds no private key: delete it to create a new key`, 'key');
  return loadedKey(createPrivateKey(keyPem), certificatesFromPem(text), file);
}

async function loadOrCreateDefault(config: LocalSignerConfig): Promise<LoadedKey> {
  fs.mkdirSync(config.dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(config.dir, 0o700);
  const file = path.join(config.dir, DEFAULT_KEY_FILE);
  if (!fs.existsSync(file)) await createDefault(file, config.installation);
  return readDefault(file);
}

export function createLocalSigner(config: LocalSignerConfig): Signer {
  let loading: Promise<LoadedKey> | undefined;
  const load = (): Promise<LoadedKey> => {
    loading ??= (config.p12 ? Promise.resolve().then(() => loadP12(config.p12!)) : loadOrCreateDefault(config)).catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
  return {
    kind: 'local',
    identity: async () => (await load()).identity,
    sign: async (digest) => {
      if (digest.length !== 32) throw new SignerError('Expected a SHA-256 digest (32 bytes)', 'key');
      const { key } = await load();
      return privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([SHA256_DIGEST_INFO, digest]));
    },
  };
}
