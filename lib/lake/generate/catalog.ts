// The study catalog the ingest pipeline keeps: one Parquet row per study, columns exactly as
// lib/lake/ddl/study_catalog.sql, patients identified only by the HMAC of their MRN.
import fs from 'node:fs/promises';
import path from 'node:path';
import { canaryRow } from '../catalog-canary';
import { ParquetWriter, type ParquetCell, type ParquetColumn } from './parquet';
import type { World } from './world';

const COLUMNS: ParquetColumn[] = [
  { name: 'patient_id_hash', type: 'VARCHAR' },
  { name: 'accession_number', type: 'VARCHAR' },
  { name: 'study_instance_uid', type: 'VARCHAR' },
  { name: 'datastore_id', type: 'VARCHAR' },
  { name: 'image_set_id', type: 'VARCHAR' },
  { name: 's3_key_prefix', type: 'VARCHAR' },
  { name: 'modality', type: 'VARCHAR' },
  { name: 'body_part', type: 'VARCHAR' },
  { name: 'study_date', type: 'DATE' },
  { name: 'patient_birth_date', type: 'DATE' },
  { name: 'retention_class', type: 'VARCHAR' },
  { name: 'vip', type: 'BOOLEAN' },
  { name: 'legal_hold', type: 'BOOLEAN' },
  { name: 'facility', type: 'VARCHAR' },
];

function canaryCells(catalogKey: string): ParquetCell[] {
  const row: Record<string, ParquetCell> = canaryRow(catalogKey);
  return COLUMNS.map((c) => row[c.name] ?? null);
}

export const CATALOG_FILE = 'part-0000.parquet';

/** The catalog's studies, then the canary row (lib/lake/catalog-canary.ts) an ingest pipeline writes too. */
export async function writeCatalog(world: World, outDir: string, catalogKey: string): Promise<{ key: string; bytes: number }> {
  const key = `${world.layout.catalogPrefix}${CATALOG_FILE}`;
  const file = path.join(outDir, key);
  await fs.mkdir(path.dirname(file), { recursive: true });
  const studies = [...world.studies].sort((a, b) => (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0));
  const writer = await ParquetWriter.open();
  try {
    await writer.write(
      file,
      COLUMNS,
      studies.map((s): ParquetCell[] => {
        const p = world.patients[s.patient]!;
        return [
          p.hash,
          s.accession,
          s.uid,
          world.datastoreIds['us-east-1'],
          s.imageSetId,
          `studies/${s.uid}/`,
          s.modality,
          s.bodyPart,
          s.studyDate,
          p.birthDate,
          s.retentionClass,
          p.vip,
          s.legalHold,
          world.hospitals[s.facility]!.name,
        ];
      }).concat([canaryCells(catalogKey)]),
    );
  } finally {
    writer.close();
  }
  return { key, bytes: (await fs.stat(file)).size };
}
