import 'server-only';
import type { BindValue, Cell, QueryEngine } from '@/lib/engine/port';
import type { LakeTable } from '@/lib/lake/tables';
import { CANARY_ACCESSION } from '@/lib/lake/catalog-canary';
import { utcDayOf } from './dates';
import type { ObjectLock, RetentionClass } from './evaluate';

// What retention is judged on, read from the lake through the engine (bound values, fixed SQL):
// the study catalog's rows and the Object Lock state the latest S3 Inventory report gives for
// each study's objects. The catalog's canary row (not a study) is never returned.

export type CatalogStudy = {
  studyInstanceUid: string;
  accessionNumber: string | null;
  patientIdHash: string | null;
  datastoreId: string | null;
  imageSetId: string | null;
  s3KeyPrefix: string | null;
  modality: string;
  studyDate: string;
  birthDate: string | null;
  retentionClass: RetentionClass | null;
  legalHold: boolean;
  facility: string | null;
};

export type InventoryVersion = {
  key: string;
  versionId: string | null;
  size: number;
  retainUntil: string | null;
  legalHold: boolean;
  replicationStatus: string | null;
};

const CATALOG_COLUMNS = `study_instance_uid, accession_number, patient_id_hash, datastore_id, image_set_id, s3_key_prefix, modality,
  study_date, patient_birth_date, retention_class, legal_hold, facility`;
const CHUNK = 200;

async function rows(engine: QueryEngine, sql: string, binds: BindValue[], tables: LakeTable[]): Promise<Cell[][]> {
  const execution = await engine.execute({ sql, binds, tables, scope: null });
  const out: Cell[][] = [];
  for await (const batch of execution.batches) out.push(...batch);
  await execution.stats();
  return out;
}

const text = (cell: Cell | undefined): string | null => (cell === null || cell === undefined ? null : String(cell));
const day = (cell: Cell | undefined): string | null => (cell === null || cell === undefined ? null : String(cell).slice(0, 10));

function catalogStudy(row: Cell[]): CatalogStudy {
  const cls = text(row[9]);
  return {
    studyInstanceUid: String(row[0]),
    accessionNumber: text(row[1]),
    patientIdHash: text(row[2]),
    datastoreId: text(row[3]),
    imageSetId: text(row[4]),
    s3KeyPrefix: text(row[5]),
    modality: text(row[6]) ?? '',
    studyDate: day(row[7]) ?? '',
    birthDate: day(row[8]),
    retentionClass: cls === 'adult' || cls === 'pediatric' ? cls : null,
    legalHold: row[10] === true,
    facility: text(row[11]),
  };
}

function chunks<T>(list: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/** The catalog rows of these studies (by Study Instance UID, or accession number when `byAccession`). */
export async function readCatalogStudies(engine: QueryEngine, ids: readonly string[], options: { byAccession?: boolean } = {}): Promise<CatalogStudy[]> {
  const out: CatalogStudy[] = [];
  for (const part of chunks([...new Set(ids)])) {
    const column = options.byAccession ? 'accession_number' : 'study_instance_uid';
    const found = await rows(
      engine,
      `SELECT ${CATALOG_COLUMNS} FROM study_catalog WHERE ${column} IN (${placeholders(part.length)}) AND accession_number IS DISTINCT FROM ?`,
      [...part.map((value) => ({ type: 'varchar' as const, value })), { type: 'varchar', value: CANARY_ACCESSION }],
      ['study_catalog'],
    );
    out.push(...found.map(catalogStudy));
  }
  return out;
}

/** Catalog studies dated before `studyDateBefore`, not on the catalog's legal hold: the only ones whose retention can have ended. */
export async function readOldStudies(engine: QueryEngine, studyDateBefore: string): Promise<CatalogStudy[]> {
  const found = await rows(
    engine,
    `SELECT ${CATALOG_COLUMNS} FROM study_catalog
     WHERE study_date < ? AND NOT coalesce(legal_hold, false) AND accession_number IS DISTINCT FROM ?
     ORDER BY study_date, study_instance_uid`,
    [
      { type: 'date', value: studyDateBefore },
      { type: 'varchar', value: CANARY_ACCESSION },
    ],
    ['study_catalog'],
  );
  return found.map(catalogStudy);
}

/** Every version (delete markers aside) the latest inventory report lists under each prefix. */
export async function readInventory(engine: QueryEngine, prefixes: readonly string[]): Promise<Map<string, InventoryVersion[]>> {
  const out = new Map<string, InventoryVersion[]>(prefixes.map((p) => [p, []]));
  for (const part of chunks([...new Set(prefixes)])) {
    const found = await rows(
      engine,
      `WITH latest AS (SELECT max(dt) AS dt FROM s3_inventory)
       SELECT regexp_extract(i.key, '^[^/]+/[^/]+/') AS prefix, i.key, i.version_id, i.size, i.object_lock_retain_until_date,
              i.object_lock_legal_hold_status, i.replication_status
       FROM s3_inventory i JOIN latest l ON i.dt = l.dt
       WHERE NOT coalesce(i.is_delete_marker, false) AND regexp_extract(i.key, '^[^/]+/[^/]+/') IN (${placeholders(part.length)})
       ORDER BY i.key, i.version_id`,
      part.map((value) => ({ type: 'varchar' as const, value })),
      ['s3_inventory'],
    );
    for (const r of found) {
      out.get(String(r[0]))?.push({
        key: String(r[1]),
        versionId: text(r[2]),
        size: Number(r[3] ?? 0),
        retainUntil: text(r[4]),
        legalHold: r[5] === 'ON',
        replicationStatus: text(r[6]) || null,
      });
    }
  }
  return out;
}

/** The inventory's Object Lock state, as the rule engine takes it. */
export function objectLocks(versions: readonly InventoryVersion[]): ObjectLock[] {
  return versions.map((v) => ({ retainUntil: v.retainUntil === null ? null : utcDayOf(v.retainUntil.endsWith('Z') || /[+-]\d{2}:\d{2}$/.test(v.retainUntil) ? v.retainUntil : `${v.retainUntil}Z`), legalHold: v.legalHold }));
}
