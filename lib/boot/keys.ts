import 'server-only';
import type { Env } from '@/lib/config/env';
import { createKeyRing } from '@/lib/keys/key-ring';
import { localMasterKey } from '@/lib/keys/local-master';
import type { KeyRing } from '@/lib/keys/port';

/** The installation key from the configured source: a secret, a KMS-encrypted data key, or the data directory. */
export async function createKeys(env: Env): Promise<KeyRing> {
  if (env.CUSTOS_MASTER_KEY) return createKeyRing(Buffer.from(env.CUSTOS_MASTER_KEY, 'base64'));
  if (env.CUSTOS_MASTER_KEY_KMS_CIPHERTEXT) {
    const [{ KMSClient }, { kmsMasterKey }] = await Promise.all([import('@aws-sdk/client-kms'), import('@/lib/keys/kms-master')]);
    const client = new KMSClient({ region: env.AWS_REGION || undefined });
    try {
      return createKeyRing(await kmsMasterKey(client, env.CUSTOS_MASTER_KEY_KMS_CIPHERTEXT));
    } finally {
      client.destroy();
    }
  }
  return createKeyRing(localMasterKey(env.dataDir));
}
