// The catalog's canary: one study row, written by the ingest pipeline, whose patient_id_hash is the
// HMAC of a fixed, fictitious MRN under the catalog key. The portal hashes the same MRN with its own
// key at start; if the two differ, every patient lookup would silently answer "no access", so the
// start stops instead. The row is on legal hold and has no objects, so no query lists it as due.
import type { QueryEngine } from '@/lib/engine/port';
import { patientIdHash } from '@/lib/phi';

export const CANARY_MRN = 'CUSTOS-CANARY';
export const CANARY_ACCESSION = 'CUSTOS-CANARY';

/** The canary's catalog row (lib/lake/ddl/study_catalog.sql column order and names). */
export function canaryRow(key: string) {
  return {
    patient_id_hash: patientIdHash(CANARY_MRN, key),
    accession_number: CANARY_ACCESSION,
    study_instance_uid: '2.25.0',
    datastore_id: null,
    image_set_id: null,
    s3_key_prefix: 'studies/custos-canary/',
    modality: 'OT',
    body_part: null,
    study_date: '2000-01-01',
    patient_birth_date: null,
    retention_class: 'adult',
    vip: false,
    legal_hold: true,
    facility: 'Custos canary (not a study)',
  };
}

export type CanaryResult = { ok: true } | { ok: false; reason: 'missing' | 'mismatch'; message: string };

/** Looks the canary up through the engine (bound, never concatenated) and compares its hash with the configured key's. */
export async function checkCatalogCanary(engine: QueryEngine, key: string): Promise<CanaryResult> {
  const execution = await engine.execute({
    sql: 'SELECT patient_id_hash FROM study_catalog WHERE accession_number = ?',
    binds: [{ type: 'varchar', value: CANARY_ACCESSION }],
    tables: ['study_catalog'],
    scope: null,
  });
  const hashes: string[] = [];
  for await (const batch of execution.batches) for (const row of batch) hashes.push(String(row[0]));
  await execution.stats();
  if (hashes.length === 0) {
    return {
      ok: false,
      reason: 'missing',
      message: `the study catalog has no canary row (accession ${CANARY_ACCESSION}); have the ingest pipeline write the row \`custos lake canary\` prints, so a wrong CUSTOS_CATALOG_HMAC_KEY cannot go unnoticed`,
    };
  }
  if (!hashes.includes(patientIdHash(CANARY_MRN, key))) {
    return {
      ok: false,
      reason: 'mismatch',
      message: `CUSTOS_CATALOG_HMAC_KEY is not the key the study catalog was hashed with (its canary row does not match): every patient lookup would find nothing`,
    };
  }
  return { ok: true };
}
