import 'server-only';
import { createPublicKey } from 'node:crypto';
import fs from 'node:fs';
import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { assertCurrent, certificateForKey, certificatesFromPem, identityOf, orderChain } from './certificates';
import { SignerError, type SignatureAlgorithm, type Signer, type SignerIdentity } from './port';

// The KMS signer: the private key never leaves AWS KMS, which signs 32-byte digests
// (MessageType DIGEST); the certificate naming the key, and its chain, are configuration.

export type KmsSignerConfig = {
  /** Key id, key ARN, alias name or alias ARN of an asymmetric SIGN_VERIFY key. */
  keyId: string;
  /** PEM file: the certificate issued for the key's public key, and its issuers. */
  certificateChainPath: string;
  region?: string;
};

export type KmsClients = { kms?: KMSClient };

const ALGORITHM_FOR_SPEC: Record<string, SignatureAlgorithm> = {
  RSA_2048: 'RSASSA_PKCS1_V1_5_SHA_256',
  RSA_3072: 'RSASSA_PKCS1_V1_5_SHA_256',
  RSA_4096: 'RSASSA_PKCS1_V1_5_SHA_256',
  ECC_NIST_P256: 'ECDSA_SHA_256',
};

type OpenKey = { identity: SignerIdentity; keyArn: string };

async function kmsCall<T>(operation: string, keyId: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const e = (typeof error === 'object' && error !== null ? error : {}) as { name?: string; message?: string };
    throw new SignerError(`AWS KMS ${operation} failed for key ${keyId}: ${e.name ?? 'Error'}: ${e.message ?? String(error)}`, 'kms');
  }
}

function readChain(file: string): Buffer[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new SignerError(`CUSTOS_SIGNER_CERT_CHAIN: cannot read ${file}`, 'config');
  }
  const chain = certificatesFromPem(text);
  if (chain.length === 0) throw new SignerError(`CUSTOS_SIGNER_CERT_CHAIN: ${file} holds no PEM certificate`, 'config');
  return chain;
}

export function createKmsSigner(config: KmsSignerConfig, clients: KmsClients = {}): Signer {
  const kms = clients.kms ?? new KMSClient({ region: config.region || undefined });

  async function open(): Promise<OpenKey> {
    const chain = readChain(config.certificateChainPath);
    const key = await kmsCall('GetPublicKey', config.keyId, () => kms.send(new GetPublicKeyCommand({ KeyId: config.keyId })));
    if (key.KeyUsage !== 'SIGN_VERIFY') {
      throw new SignerError(`CUSTOS_SIGNER_KMS_KEY_ID: KMS key ${config.keyId} is not a signing key (KeyUsage ${key.KeyUsage ?? 'unknown'})`, 'config');
    }
    const spec = key.KeySpec ?? key.CustomerMasterKeySpec ?? 'unknown';
    const algorithm = ALGORITHM_FOR_SPEC[spec];
    if (!algorithm || (key.SigningAlgorithms && !key.SigningAlgorithms.includes(algorithm))) {
      throw new SignerError(`CUSTOS_SIGNER_KMS_KEY_ID: KMS key spec ${spec} is not supported (use RSA_2048, RSA_3072, RSA_4096 or ECC_NIST_P256)`, 'config');
    }
    if (!key.PublicKey) throw new SignerError(`AWS KMS GetPublicKey returned no public key for ${config.keyId}`, 'kms');
    const publicKey = createPublicKey({ key: Buffer.from(key.PublicKey), format: 'der', type: 'spki' });
    const leaf = certificateForKey(publicKey, chain);
    if (!leaf) {
      throw new SignerError(`CUSTOS_SIGNER_CERT_CHAIN: no certificate in ${config.certificateChainPath} is for the public key of KMS key ${config.keyId}`, 'config');
    }
    assertCurrent(leaf);
    // Sign with the ARN GetPublicKey resolved: an alias moved meanwhile cannot switch keys under the certificate.
    return { identity: identityOf(algorithm, orderChain(leaf, chain)), keyArn: key.KeyId ?? config.keyId };
  }

  let opening: Promise<OpenKey> | undefined;
  const load = (): Promise<OpenKey> => {
    opening ??= open().catch((error: unknown) => {
      opening = undefined;
      throw error;
    });
    return opening;
  };

  return {
    kind: 'kms',
    identity: async () => (await load()).identity,
    sign: async (digest) => {
      if (digest.length !== 32) throw new SignerError('Expected a SHA-256 digest (32 bytes)', 'key');
      const { identity, keyArn } = await load();
      const signed = await kmsCall('Sign', keyArn, () =>
        kms.send(new SignCommand({ KeyId: keyArn, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: identity.algorithm })),
      );
      if (!signed.Signature || signed.Signature.length === 0) throw new SignerError(`AWS KMS Sign returned no signature for ${keyArn}`, 'kms');
      return Buffer.from(signed.Signature);
    },
  };
}
