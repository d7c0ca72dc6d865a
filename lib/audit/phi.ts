// Patient identifiers: MRNs are hashed (HMAC-SHA256 under the catalog key) before they reach an
// engine, and shown masked wherever a full value is not needed.
import { createHmac } from 'node:crypto';

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
