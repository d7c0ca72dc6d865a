import 'server-only';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, type Env } from '@/lib/config/env';
import type { KmsClients } from '@/lib/signer/kms';
import type { Signer } from '@/lib/signer/port';

// The signer port's adapter, chosen from configuration: the embedded default keeps a key in the
// data directory; CUSTOS_SIGNER_P12 brings a site's own; CUSTOS_SIGNER=kms keeps it in AWS KMS.
// Nothing is read or created here: each adapter loads its key on first use.

/** Names this installation in the embedded default's certificate: host, and a hash of the data directory (not its path). */
export function installationName(env: Env): string {
  return `${os.hostname()} ${createHash('sha256').update(env.dataDir).digest('hex').slice(0, 8)}`;
}

export async function createSigner(env: Env, clients: KmsClients = {}): Promise<Signer> {
  const signer = env.CUSTOS_SIGNER === 'kms' ? await kmsSigner(env, clients) : await localSigner(env);
  return env.CUSTOS_TSA_URL ? { ...signer, timestampUrl: env.CUSTOS_TSA_URL } : signer;
}

async function localSigner(env: Env): Promise<Signer> {
  if (env.CUSTOS_SIGNER_KMS_KEY_ID) {
    throw new ConfigError('Invalid configuration: CUSTOS_SIGNER_KMS_KEY_ID is set but CUSTOS_SIGNER is local; set CUSTOS_SIGNER=kms');
  }
  if (!env.CUSTOS_SIGNER_P12 && env.CUSTOS_SIGNER_P12_PASSWORD !== undefined) {
    throw new ConfigError('Invalid configuration: CUSTOS_SIGNER_P12_PASSWORD is set without CUSTOS_SIGNER_P12');
  }
  const { createLocalSigner } = await import('@/lib/signer/local-p12');
  return createLocalSigner({
    dir: path.join(env.dataDir, 'signer'),
    installation: installationName(env),
    ...(env.CUSTOS_SIGNER_P12
      ? { p12: { path: path.resolve(/*turbopackIgnore: true*/ env.CUSTOS_SIGNER_P12), password: env.CUSTOS_SIGNER_P12_PASSWORD ?? '' } }
      : {}),
  });
}

async function kmsSigner(env: Env, clients: KmsClients): Promise<Signer> {
  if (!env.CUSTOS_SIGNER_KMS_KEY_ID) throw new ConfigError('Invalid configuration: CUSTOS_SIGNER=kms requires CUSTOS_SIGNER_KMS_KEY_ID');
  if (!env.CUSTOS_SIGNER_CERT_CHAIN) {
    throw new ConfigError("Invalid configuration: CUSTOS_SIGNER=kms requires CUSTOS_SIGNER_CERT_CHAIN (a PEM file with the key's certificate and its chain)");
  }
  if (env.CUSTOS_SIGNER_P12) throw new ConfigError('Invalid configuration: CUSTOS_SIGNER_P12 is set but CUSTOS_SIGNER is kms');
  const { createKmsSigner } = await import('@/lib/signer/kms');
  return createKmsSigner(
    {
      keyId: env.CUSTOS_SIGNER_KMS_KEY_ID,
      certificateChainPath: path.resolve(/*turbopackIgnore: true*/ env.CUSTOS_SIGNER_CERT_CHAIN),
      region: env.AWS_REGION,
    },
    clients,
  );
}
