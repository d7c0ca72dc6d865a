import 'server-only';
import { DecryptCommand, type KMSClient } from '@aws-sdk/client-kms';

/**
 * Production's installation key as a KMS data key: the configuration holds only its encrypted
 * form (GenerateDataKey's CiphertextBlob); KMS decrypts it at start, so reading the key needs the
 * portal's IAM permission on the KMS key, not just access to its settings or database.
 */
export async function kmsMasterKey(client: KMSClient, ciphertextBase64: string, keyId?: string): Promise<Buffer> {
  const out = await client.send(new DecryptCommand({ CiphertextBlob: Buffer.from(ciphertextBase64, 'base64'), ...(keyId ? { KeyId: keyId } : {}) }));
  if (!out.Plaintext || out.Plaintext.length < 32) throw new Error('KMS returned no 256-bit data key for CUSTOS_MASTER_KEY_KMS_CIPHERTEXT');
  return Buffer.from(out.Plaintext);
}
