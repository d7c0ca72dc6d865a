import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDuckDbEngine } from '@/lib/engine/duckdb/adapter';
import type { QueryEngine } from '@/lib/engine/port';
import { CANARY_ACCESSION, CANARY_MRN, canaryRow, checkCatalogCanary } from '@/lib/lake/catalog-canary';
import { DEFAULT_LAYOUT } from '@/lib/lake/layout';
import { DEMO_CATALOG_KEY, patientIdHash } from '@/lib/phi';
import { parquetFromSelect, putFile, tempLake } from './helpers/lake-builder';

// A wrong catalog key answers "no access" for every patient, silently. The canary row makes it loud.
describe('the catalog canary', () => {
  let demo: QueryEngine;
  beforeAll(async () => {
    const lake = inject('testLake');
    demo = await createDuckDbEngine({ lake: { dir: lake.compacted, layout: DEFAULT_LAYOUT }, tempDir: path.join(lake.compacted, '..', 'tmp-canary') });
  });
  afterAll(async () => demo?.close());

  it('is written by the generator, hashed with the catalog key, on legal hold and without objects', async () => {
    const row = canaryRow(DEMO_CATALOG_KEY);
    expect(row).toMatchObject({ accession_number: CANARY_ACCESSION, legal_hold: true, patient_id_hash: patientIdHash(CANARY_MRN, DEMO_CATALOG_KEY) });
    const execution = await demo.execute({
      sql: 'SELECT patient_id_hash, legal_hold, s3_key_prefix FROM study_catalog WHERE accession_number = ?',
      binds: [{ type: 'varchar', value: CANARY_ACCESSION }],
      tables: ['study_catalog'],
      scope: null,
    });
    const rows = [];
    for await (const batch of execution.batches) rows.push(...batch);
    expect(rows).toEqual([[row.patient_id_hash, true, row.s3_key_prefix]]);
  });

  it('passes with the key the catalog was hashed with, and names a wrong one', async () => {
    expect(await checkCatalogCanary(demo, DEMO_CATALOG_KEY)).toEqual({ ok: true });
    expect(await checkCatalogCanary(demo, 'some-other-key')).toMatchObject({
      ok: false,
      reason: 'mismatch',
      message: expect.stringContaining('CUSTOS_CATALOG_HMAC_KEY is not the key the study catalog was hashed with'),
    });
  });

  it('says so when the catalog has no canary row', async () => {
    const lake = tempLake();
    try {
      putFile(lake, `${DEFAULT_LAYOUT.catalogPrefix}part-0000.parquet`, await parquetFromSelect(
        "SELECT 'abc' AS patient_id_hash, 'ACC1' AS accession_number, '1.2.3' AS study_instance_uid, NULL::VARCHAR AS datastore_id, NULL::VARCHAR AS image_set_id, " +
          "'studies/1.2.3/' AS s3_key_prefix, 'CT' AS modality, NULL::VARCHAR AS body_part, DATE '2020-01-01' AS study_date, NULL::DATE AS patient_birth_date, " +
          "'adult' AS retention_class, false AS vip, false AS legal_hold, 'H' AS facility",
      ));
      const engine = await createDuckDbEngine({ lake, tempDir: path.join(lake.dir, '..', 'tmp-canary-missing') });
      try {
        expect(await checkCatalogCanary(engine, DEMO_CATALOG_KEY)).toMatchObject({ ok: false, reason: 'missing', message: expect.stringContaining('custos lake canary') });
      } finally {
        await engine.close();
      }
    } finally {
      lake.cleanup();
      fs.rmSync(path.join(lake.dir, '..', 'tmp-canary-missing'), { recursive: true, force: true });
    }
  });
});
