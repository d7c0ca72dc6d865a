import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { addDays, daysBetween } from '@/lib/days';
import type { QueryEngine } from '@/lib/engine/port';
import type { Truth } from '@/lib/lake/generate/truth';
import { indexFiles, listedIndexFiles, readAccessIndexManifest } from '@/lib/lake/access-index-manifest';
import { DEFAULT_LAYOUT } from '@/lib/lake/layout';
import { accessIndexBuild } from '@/lib/queries/access-index-build';
import { estimateRequest } from '@/lib/queries/engine-request';
import { listQueries } from '@/lib/queries/registry';
import { createDuckDbEngine } from '@/lib/engine/duckdb/adapter';
import type { SavedQuery } from '@/lib/queries/definition';
import { lakeEngine, runQuery } from '../support/run-query';

// The access index changes where rows come from, never which rows: every saved query that reads it
// returns exactly the rows it returns from the raw logs alone, on a lake indexed throughout and on
// one whose last days are still raw.
const lake = inject('testLake');
const truth = JSON.parse(fs.readFileSync(path.join(lake.raw, 'truth.json'), 'utf8')) as Truth;
const indexedQueries = listQueries().filter((q) => q.readsAccessIndex);

function paramsFor(query: SavedQuery, window: { from: string; to: string }): Record<string, string> {
  const patient = truth.patients.find((p) => p.kind === 'adult')!;
  const params: Record<string, string> = { ...window };
  for (const p of query.params) {
    if (p.type === 'mrn') params[p.name] = patient.mrn;
    if (p.type === 'study') params[p.name] = patient.studies[0]!.studyInstanceUid;
    if (p.type === 'principal') params[p.name] = patient.accesses[0]!.principal;
  }
  return params;
}

const sortedRows = (rows: Record<string, unknown>[]) => rows.map((r) => JSON.stringify(r)).sort();

it('the saved queries that compute accesses read the index', () => {
  expect(indexedQueries.map((q) => q.id).sort()).toEqual(
    ['access-by-principal', 'access-volume', 'after-hours-access', 'after-hours-summary', 'bulk-access', 'patient-access-history', 'study-access', 'user-activity', 'vip-access'],
  );
  // user-activity reads the whole trail of a person beside the accesses, so its raw window stays open
  expect(indexedQueries.filter((q) => !q.logsOnlyBesideIndex).map((q) => q.id)).toEqual(['user-activity']);
});

describe.each([
  ['indexed', lake.indexed, 'all'],
  ['mixed', lake.mixed, 'both'],
] as const)('on the %s lake', (_name, dir, expectedSplit) => {
  let engine: QueryEngine;
  beforeAll(async () => {
    engine = await lakeEngine(dir);
  });
  afterAll(async () => engine?.close());

  it.each(indexedQueries.map((q) => [q.id, q] as const))('%s returns the same rows with and without the index', async (_id, query) => {
    const params = paramsFor(query, truth.window);
    const raw = await runQuery(engine, query.id, params, { accessIndex: false });
    const indexed = await runQuery(engine, query.id, params);
    expect(raw.split).toMatchObject({ indexed: null, raw: truth.window });
    if (expectedSplit === 'all') expect(indexed.split).toMatchObject({ indexed: truth.window, raw: null });
    else {
      expect(indexed.split?.indexed?.from).toBe(truth.window.from);
      expect(indexed.split?.raw?.to).toBe(truth.window.to);
      expect(addDays(indexed.split!.indexed!.to, 1)).toBe(indexed.split!.raw!.from);
    }
    expect(indexed.rows.length).toBe(raw.rows.length);
    expect(sortedRows(indexed.rows)).toEqual(sortedRows(raw.rows));
  });

  it('estimates what a run reads: the index files of its indexed days and the raw partitions beside them', async () => {
    const query = indexedQueries.find((q) => q.id === 'patient-access-history')!;
    const run = await runQuery(engine, query.id, paramsFor(query, truth.window));
    const estimate = await engine.estimate(estimateRequest(query, truth.window, await engine.accessIndex.span()));
    expect({ files: estimate.files, bytes: estimate.bytes }).toEqual({ files: run.filesScanned, bytes: run.bytesScanned });
    // the same window priced as if no day were indexed
    const raw = await engine.estimate(estimateRequest(query, truth.window, null));
    expect(estimate.bytes).toBeLessThan(raw.bytes);
  });

  it('a run that reads only indexed days opens no raw log file', async () => {
    const through = (await engine.accessIndex.span())!.through;
    const day = { from: addDays(through, -2), to: through };
    const result = await runQuery(engine, 'patient-access-history', paramsFor(indexedQueries.find((q) => q.id === 'patient-access-history')!, day));
    const manifest = await readAccessIndexManifest({ dir, layout: DEFAULT_LAYOUT });
    const files = indexFiles({ dir, layout: DEFAULT_LAYOUT }, manifest, day.from, day.to).length;
    const catalog = await engine.estimate({ tables: ['study_catalog'], scope: null });
    expect(result.split).toMatchObject({ indexed: day, raw: null });
    expect(files).toBeGreaterThan(0);
    expect(result.filesScanned).toBe(files + catalog.files);
  });
});

it('a window answers as the union of its days (what lets the index hold one day at a time)', async () => {
  const engine = await lakeEngine(lake.compacted);
  try {
    const days = daysBetween(addDays(truth.window.to, -4), truth.window.to);
    const query = indexedQueries.find((q) => q.id === 'access-by-principal')!;
    const whole = await runQuery(engine, 'after-hours-access', paramsFor(query, { from: days[0]!, to: days.at(-1)! }), { accessIndex: false });
    const byDay = [];
    for (const day of days) byDay.push(...(await runQuery(engine, 'after-hours-access', paramsFor(query, { from: day, to: day }), { accessIndex: false })).rows);
    expect(whole.rows.length).toBeGreaterThan(0);
    expect(sortedRows(byDay)).toEqual(sortedRows(whole.rows));
  } finally {
    await engine.close();
  }
});

describe('refreshing the index', () => {
  let dir: string;
  let engine: QueryEngine;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-index-'));
    fs.cpSync(lake.compacted, dir, { recursive: true });
    engine = await createDuckDbEngine({ lake: { dir, layout: DEFAULT_LAYOUT }, indexLagDays: 2 });
  });
  afterAll(async () => {
    await engine?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('indexes every complete day once, then nothing until logs change', async () => {
    expect(await engine.accessIndex.span()).toBeNull();
    const first = await engine.accessIndex.refresh(accessIndexBuild);
    expect(first.daysBuilt).toBeGreaterThanOrEqual(daysBetween(truth.window.from, truth.window.to).length - 2);
    expect(first.rows).toBeGreaterThan(0);
    expect(first.through).toBe((await engine.accessIndex.span())?.through);
    const again = await engine.accessIndex.refresh(accessIndexBuild);
    expect(again).toMatchObject({ daysBuilt: 0, rows: 0, through: first.through });
  });

  it('rebuilds only the days around a partition whose logs changed, and removes the files it replaced', async () => {
    const manifest = await readAccessIndexManifest({ dir, layout: DEFAULT_LAYOUT });
    const day = addDays(manifest.through!, -5);
    redeliver(dir, day);
    const before = manifest.days[day]!.file;
    const refreshed = await engine.accessIndex.refresh(accessIndexBuild);
    expect(refreshed.daysBuilt).toBe(3);
    const after = await readAccessIndexManifest({ dir, layout: DEFAULT_LAYOUT });
    expect(after.days[day]!.file).not.toBe(before);
    expect(fs.existsSync(path.join(dir, before!))).toBe(false);
    // a copied log file repeats event ids: CloudTrail duplicates count once, so the day's rows are unchanged
    expect(after.days[day]!.rows).toBe(manifest.days[day]!.rows);
  });

  it('a build that fails midway loses nothing: the index keeps what it had and the next refresh finishes', async () => {
    const manifest = await readAccessIndexManifest({ dir, layout: DEFAULT_LAYOUT });
    const days = Object.keys(manifest.days).sort().slice(0, 3);
    for (const day of days) delete manifest.days[day];
    fs.writeFileSync(path.join(dir, '_custos/index/access/manifest.json'), JSON.stringify({ ...manifest, through: null }));
    const broken = { ...accessIndexBuild, select: () => ({ sql: 'SELECT 1 AS x FROM no_such_table', binds: [] }) };
    await expect(engine.accessIndex.refresh(broken)).rejects.toThrow(/no_such_table/);
    expect(await engine.accessIndex.span()).toBeNull();
    const finished = await engine.accessIndex.refresh(accessIndexBuild);
    expect(finished.daysBuilt).toBe(3);
    expect(finished.through).toBe(manifest.through);
    expect(parquetFiles(dir).length).toBe(listedIndexFiles(await readAccessIndexManifest({ dir, layout: DEFAULT_LAYOUT })).length);
  });
});

/** Rows of an index file, and how many come before the one they follow in (source, image set or study prefix) order. */
async function outOfOrder(file: string): Promise<{ rows: number; outOfOrder: number }> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    const reader = await conn.runAndReadAll(
      `SELECT count(*)::INTEGER, count(*) FILTER (WHERE key < previous)::INTEGER FROM (
         SELECT key, lag(key) OVER (ORDER BY file_row_number) AS previous
         FROM (SELECT source || '|' || coalesce(image_set_id, study_prefix) AS key, file_row_number FROM read_parquet($1, file_row_number = true)))`,
      [file],
    );
    const [rows, late] = reader.getRows()[0] as [number, number];
    return { rows, outOfOrder: late };
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

const parquetFiles = (dir: string) =>
  fs.readdirSync(path.join(dir, '_custos/index/access'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.parquet'));

/** Adds a second delivery of a day's first trail object (same records, another object name). */
function redeliver(dir: string, day: string) {
  const [y, m, d] = day.split('-');
  const trailDir = fs
    .readdirSync(path.join(dir, 'AWSLogs'), { recursive: true, encoding: 'utf8' })
    .find((p) => p.endsWith(path.join('CloudTrail', 'us-east-1', y!, m!, d!)));
  expect(trailDir).toBeDefined();
  const folder = path.join(dir, 'AWSLogs', trailDir!);
  const file = fs.readdirSync(folder).find((f) => f.endsWith('.json.gz'))!;
  fs.copyFileSync(path.join(folder, file), path.join(folder, file.replace(/_[A-Za-z0-9]{16}\.json\.gz$/, '_CopyOfTheSameLog.json.gz')));
}

describe('merging a month indexed through into one file', () => {
  const location = () => ({ dir, layout: DEFAULT_LAYOUT });
  let dir: string;
  let engine: QueryEngine;
  const month = truth.window.to.slice(0, 7);
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-index-month-'));
    fs.cpSync(lake.compacted, dir, { recursive: true });
    engine = await createDuckDbEngine({ lake: location(), indexLagDays: 0 });
  });
  afterAll(async () => {
    await engine?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('merges the days of a month once its last day is indexed, sorted by study, and keeps only the merged file', async () => {
    const report = await engine.accessIndex.refresh(accessIndexBuild);
    expect(report.monthsMerged).toBeGreaterThanOrEqual(1);
    const manifest = await readAccessIndexManifest(location());
    const merged = manifest.months?.[month];
    expect(merged?.file).toMatch(new RegExp(`month=${month}/part-.+\\.parquet$`));
    expect(merged!.days.length).toBeGreaterThanOrEqual(daysBetween(truth.window.from, truth.window.to).length - 1);
    for (const day of merged!.days) expect(manifest.days[day]).toMatchObject({ file: null, month });
    expect(merged!.rows).toBe(merged!.days.reduce((sum, day) => sum + manifest.days[day]!.rows, 0));
    expect(await outOfOrder(path.join(dir, merged!.file!))).toEqual({ rows: merged!.rows, outOfOrder: 0 });
    expect(parquetFiles(dir).sort()).toEqual(listedIndexFiles(manifest).map((f) => path.relative('_custos/index/access', f)).sort());
    // a 1-day window opens the month's file, and answers only for its day
    const day = merged!.days[3]!;
    expect(indexFiles(location(), manifest, day, day).map((f) => path.relative(dir, f.file))).toEqual([merged!.file]);
    const params = paramsFor(indexedQueries.find((q) => q.id === 'access-volume')!, { from: day, to: day });
    const raw = await runQuery(engine, 'access-volume', params, { accessIndex: false });
    const indexed = await runQuery(engine, 'access-volume', params);
    expect(indexed.split).toMatchObject({ indexed: { from: day, to: day }, raw: null });
    expect(sortedRows(indexed.rows)).toEqual(sortedRows(raw.rows));
    expect(raw.rows.length).toBeGreaterThan(0);
    const again = await engine.accessIndex.refresh(accessIndexBuild);
    expect(again).toMatchObject({ daysBuilt: 0, monthsMerged: 0 });
  });

  it('dissolves a merged month whose logs changed, rebuilds its days and merges them again', async () => {
    const before = await readAccessIndexManifest(location());
    const old = before.months![month]!;
    redeliver(dir, old.days[5]!);
    const report = await engine.accessIndex.refresh(accessIndexBuild);
    expect(report.daysBuilt).toBe(old.days.length);
    expect(report.monthsMerged).toBe(1);
    const after = await readAccessIndexManifest(location());
    expect(after.months![month]!.file).not.toBe(old.file);
    expect(after.months![month]!.rows).toBe(old.rows);
    expect(fs.existsSync(path.join(dir, old.file!))).toBe(false);
    expect(parquetFiles(dir).length).toBe(listedIndexFiles(after).length);
  });
});
