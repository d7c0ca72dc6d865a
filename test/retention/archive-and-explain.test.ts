import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archivePaths } from '@/lib/lake/generate/out-dir';
import { addYears } from '@/lib/retention/dates';
import { nextDay } from '@/lib/days';
import { allVersions } from '@/lib/storage/object-store';
import { LocalImageSetStore } from '@/lib/storage/local-image-set-store';
import { LocalObjectStore } from '@/lib/storage/local-object-store';
import { retentionLake } from './support';

// The demo lake's archive is the archive its S3 Inventory reports (same version ids, sizes, ETags,
// storage classes, Object Lock), with one image set per catalog study; and `custos retention
// explain` prints the documented JSON, exit 0 for a known study and 1 for an unknown one.
let lake: Awaited<ReturnType<typeof retentionLake>>;
let dataDir: string;

beforeAll(async () => {
  lake = await retentionLake(59);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-explain-'));
});
afterAll(() => {
  lake?.dispose();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

async function rows<T>(sql: string): Promise<T[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const c = await instance.connect();
  try {
    return (await c.runAndReadAll(sql)).getRowObjectsJson() as unknown as T[];
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}

describe('the demo archive', () => {
  it('holds every version the last inventory report lists, as it lists it', async () => {
    const last = lake.truth.inventoryReports.at(-1)!;
    const manifest = JSON.parse(fs.readFileSync(path.join(lake.lakeDir, `inventory/custos-demo-imaging-archive/daily-full/${last.dt.replace(/^(\d{4}-\d{2}-\d{2})-(\d{2})-(\d{2})$/, '$1T$2-$3Z')}/manifest.json`), 'utf8')) as { files: { key: string }[] };
    const files = manifest.files.map((f) => `'${path.join(lake.lakeDir, f.key)}'`).join(',');
    type Row = { key: string; version_id: string; size: string | null; e_tag: string | null; storage_class: string | null; is_delete_marker: boolean; retain: string | null; object_lock_legal_hold_status: string | null };
    const reported = await rows<Row>(
      `SELECT key, version_id, size::VARCHAR AS size, e_tag, storage_class, is_delete_marker, strftime(object_lock_retain_until_date, '%Y-%m-%dT%H:%M:%S.000Z') AS retain, object_lock_legal_hold_status FROM read_parquet([${files}])`,
    );
    expect(reported.length).toBeGreaterThan(100);
    const store = new LocalObjectStore({ root: archivePaths(lake.lakeDir).objects, buckets: { 'custos-demo-imaging-archive': { objectLock: true } } });
    const archived = new Map<string, { size: number; etag: string; storageClass: string; deleteMarker: boolean }>();
    for await (const v of allVersions(store, { bucket: 'custos-demo-imaging-archive', prefix: 'studies/' })) {
      archived.set(`${v.key}@${v.versionId}`, v.isDeleteMarker ? { size: 0, etag: '', storageClass: '', deleteMarker: true } : { size: v.size, etag: v.etag, storageClass: v.storageClass, deleteMarker: false });
    }
    for (const r of reported) {
      const a = archived.get(`${r.key}@${r.version_id}`);
      expect(a, `${r.key}@${r.version_id}`).toBeDefined();
      expect(a!.deleteMarker).toBe(r.is_delete_marker);
      if (r.is_delete_marker) continue;
      expect([a!.size, a!.etag, a!.storageClass]).toEqual([Number(r.size), r.e_tag, r.storage_class]);
    }
    // versions written on the last day are in the archive, not yet in the report
    expect(archived.size).toBeGreaterThanOrEqual(reported.length);
    const sample = reported.find((r) => !r.is_delete_marker)!;
    const head = await store.head({ bucket: 'custos-demo-imaging-archive', key: sample.key, versionId: sample.version_id });
    expect(head.retention).toEqual({ mode: 'COMPLIANCE', retainUntil: new Date(sample.retain!) });
    expect(head.legalHold).toBe(sample.object_lock_legal_hold_status === 'ON');
    // a small placeholder body stands for the object; its recorded size is the inventory's
    expect((await store.get({ bucket: 'custos-demo-imaging-archive', key: sample.key, versionId: sample.version_id })).body.length).toBeLessThan(400);
  });

  it('has one image set per catalog study, found by its Study Instance UID', async () => {
    const images = new LocalImageSetStore(archivePaths(lake.lakeDir).imageSets);
    for (const p of lake.truth.patients) {
      for (const s of p.studies) {
        const found = await images.findByStudy(lake.truth.datastoreIds['us-east-1']!, s.studyInstanceUid);
        expect(found.map((f) => f.imageSetId)).toEqual([s.imageSetId]);
      }
    }
  });
});

function custos(...args: string[]) {
  const result = spawnSync('npm', ['run', '-s', 'custos', '--', ...args], {
    cwd: path.resolve(__dirname, '../..'),
    env: { ...process.env, CUSTOS_DATA_DIR: dataDir },
    encoding: 'utf8',
    timeout: 180_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('custos retention explain', () => {
  it('prints the documented JSON for a study past retention, as the CLI actor (birth date included)', () => {
    const adult = lake.truth.patients.find((p) => p.kind === 'adult')!;
    const old = adult.studies[0]!;
    const { code, stdout, stderr } = custos('retention', 'explain', '--study', old.studyInstanceUid, '--lake', lake.lakeDir, '--as-of', '2026-10-31', '--json');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const json = JSON.parse(stdout);
    expect(Object.keys(json)).toEqual(['study', 'retentionClass', 'rule', 'ruleSetVersion', 'studyDate', 'birthDate', 'retainUntil', 'deletable', 'reasons']);
    expect(json).toMatchObject({ study: old.studyInstanceUid, retentionClass: 'adult', rule: 'adult-7y', ruleSetVersion: 1, studyDate: old.studyDate, retainUntil: nextDay(addYears(old.studyDate, 7)), deletable: true, reasons: [] });
    expect(json.birthDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it("explains a child's study kept to the 24th birthday, in sentences, not deletable", () => {
    const child = lake.truth.patients.find((p) => p.kind === 'pediatric')!;
    const old = child.studies[0]!;
    const json = JSON.parse(custos('retention', 'explain', '--study', old.studyInstanceUid, '--lake', lake.lakeDir, '--as-of', '2026-10-31', '--json').stdout);
    expect(json).toMatchObject({ retentionClass: 'pediatric', rule: 'pediatric-21-plus-3', deletable: false, retainUntil: nextDay(addYears(json.birthDate, 24)) });
    expect(json.reasons[0]).toMatch(/^retention has not ended: rule pediatric-21-plus-3 keeps the study through/);
    const text = custos('retention', 'explain', '--study', old.studyInstanceUid, '--lake', lake.lakeDir, '--as-of', '2026-10-31');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('(the 24th birthday)');
    expect(text.stdout).toContain('Not deletable on 2026-10-31:');
  });

  it('judges deletability on --as-of, and says so for the legal hold of the catalog', () => {
    const held = lake.truth.patients.find((p) => p.kind === 'no-access')!.studies.find((s) => s.modality === 'MG')!;
    const json = JSON.parse(custos('retention', 'explain', '--study', held.studyInstanceUid, '--lake', lake.lakeDir, '--as-of', '2040-01-01', '--json').stdout);
    expect(json).toMatchObject({ rule: 'mammography-10y', deletable: false, reasons: ['legal hold in the study catalog', 'S3 legal hold on 2 objects'] });
  });

  it('exits 1 for a study the catalog does not know, 2 for a bad date', () => {
    const unknown = custos('retention', 'explain', '--study', '1.2.3.4.5', '--lake', lake.lakeDir, '--json');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/The study was not found/);
    expect(custos('retention', 'explain', '--study', '1.2.3', '--as-of', '2026-02-30').code).toBe(2);
  });
});
