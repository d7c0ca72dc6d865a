// Patient identifiers: MRNs are hashed (HMAC-SHA256 under the catalog key) before they reach an
// engine, and shown masked wherever a full value is not needed.
import { createHmac } from 'node:crypto';
import { ConfigError, type Env } from '@/lib/config/env';

/** Key used by the embedded demo lake when no CUSTOS_CATALOG_HMAC_KEY is configured. */
export const DEMO_CATALOG_KEY = 'custos-demo-catalog-key';

/** Lowercase hex HMAC-SHA256 of the MRN exactly as written (the catalog's patient_id_hash). */
export function patientIdHash(mrn: string, key: string): string {
  return createHmac('sha256', key).update(mrn, 'utf8').digest('hex');
}

/** "MRN0001234" → "•••••••1234"; identifiers of 4 characters or fewer are fully masked. */
export function maskIdentifier(value: string): string {
  if (value.length <= 4) return '•'.repeat(value.length);
  return '•'.repeat(value.length - 4) + value.slice(-4);
}

/**
 * The key the catalog's patient hashes were made with. Only the generated demo lake falls back to
 * its published key; over any real catalog a wrong key would answer "no access" for every patient.
 */
export function catalogKey(config: Pick<Env, 'CUSTOS_CATALOG_HMAC_KEY' | 'demoLake'>): string {
  if (config.CUSTOS_CATALOG_HMAC_KEY) return config.CUSTOS_CATALOG_HMAC_KEY;
  if (config.demoLake) return DEMO_CATALOG_KEY;
  throw new ConfigError(
    'CUSTOS_CATALOG_HMAC_KEY is required: the lake is not the generated demo lake, so the key the ingest pipeline hashes MRNs with must be given',
  );
}
