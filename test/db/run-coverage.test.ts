import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '@/lib/days';
import { queryRuns } from '@/lib/db/schema';
import { compactLake } from '@/lib/lake/compact';
import { generateLake } from '@/lib/lake/generate';
import type { Truth } from '@/lib/lake/generate/truth';
import { DEFAULT_LAYOUT } from '@/lib/lake/layout';
import { EXTENSION } from '@/lib/fhir/codes';
import { exportRun } from '@/lib/queries/export-run';
import { getRun } from '@/lib/queries/get-run';
import { runSavedQuery } from '@/lib/queries/run-saved-query';
import { accessIndexBuild } from '@/lib/queries/access-index-build';
import { signedIn } from '../support/actors';
import { testServices, type TestServices } from '../support/services';

async function text(body: AsyncIterable<string>): Promise<string> {
  let out = '';
  for await (const chunk of body) out += chunk;
  return out;
}

// Every recorded result carries the log coverage of its window: in the ledger row (written with
// the result), on the run for everyone who may see it, and in the JSON and FHIR exports.
describe(`log coverage in the run ledger (${process.env.CUSTOS_TEST_DB})`, () => {
  let services: TestServices;
  let truth: Truth;
  let lakeDir: string;
  beforeAll(async () => {
    lakeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-coverage-lake-'));
    await generateLake({ outDir: lakeDir, layout: DEFAULT_LAYOUT, days: 7, eventsPerDay: 500, seed: 5, end: '2026-10-31' });
    await compactLake({ dir: lakeDir, layout: DEFAULT_LAYOUT }, {});
    truth = JSON.parse(fs.readFileSync(path.join(lakeDir, 'truth.json'), 'utf8')) as Truth;
    services = await testServices({ lakeDir });
  });
  afterAll(async () => {
    await services?.dispose();
    fs.rmSync(lakeDir, { recursive: true, force: true });
  });

  const rowOf = async (runId: string) => (await services.database.db.select().from(queryRuns).where(eq(queryRuns.id, runId)))[0]!;
  const planted = () => truth.coverageGaps.map(({ from, to }) => ({ from, to }));

  it('records the coverage of the window with the result, and shows it on the run', async () => {
    const ctx = await signedIn(services, 'security_officer');
    const run = await runSavedQuery(ctx, { queryId: 'failed-access', params: truth.window }, { wait: true });
    expect(run.status).toBe('succeeded');
    const expected = await services.engine.coverage(['cloudtrail_logs', 's3_access_logs'], truth.window);
    expect(run.coverage).toEqual(expected);
    expect(run.coverage).toMatchObject({ from: truth.window.from, to: truth.window.to, sources: { cloudtrail: { daysWithLogs: 7, daysWithout: 0, gaps: planted() } } });
    expect(Object.keys(run.coverage!.sources)).toEqual(['cloudtrail', 's3_access_logs']);
    expect((await rowOf(run.id)).coverage).toEqual(expected);
    expect((await getRun(ctx, run.id)).coverage).toEqual(expected);
  });

  it('a run that reads the access index records which days came from it and which from the raw logs; its coverage stays that of the whole window', async () => {
    const refreshed = await services.engine.accessIndex.refresh(accessIndexBuild);
    const through = refreshed.through!;
    expect(through > truth.window.from && through < truth.window.to).toBe(true);
    const ctx = await signedIn(services, 'security_officer');
    const run = await runSavedQuery(ctx, { queryId: 'access-volume', params: truth.window }, { wait: true });
    expect(run.status).toBe('succeeded');
    const split = { indexed: { from: truth.window.from, to: through }, raw: { from: addDays(through, 1), to: truth.window.to }, indexThrough: through };
    expect(run.readSplit).toEqual(split);
    expect((await rowOf(run.id)).readSplit).toEqual(split);
    expect(run.coverage).toEqual(await services.engine.coverage(['cloudtrail_logs', 's3_access_logs'], truth.window));
    // a query that does not read accesses records no split
    const failed = await runSavedQuery(ctx, { queryId: 'failed-access', params: truth.window }, { wait: true });
    expect(failed.readSplit).toBeNull();
  });

  it('states that a window past the lake\'s end has no logs, however empty the result', async () => {
    const ctx = await signedIn(services, 'security_officer');
    const window = { from: addDays(truth.window.to, 1), to: addDays(truth.window.to, 30) };
    const run = await runSavedQuery(ctx, { queryId: 'failed-access', params: window }, { wait: true });
    expect(run).toMatchObject({ status: 'succeeded', rowCount: 0 });
    for (const source of [run.coverage!.sources.cloudtrail!, run.coverage!.sources.s3_access_logs!]) {
      expect(source).toEqual({
        daysWithLogs: 0,
        daysWithout: 30,
        gaps: [{ from: `${window.from}T00:00:00Z`, to: `${addDays(window.to, 1)}T00:00:00Z` }],
        firstDay: truth.window.from,
        lastDay: truth.window.to,
      });
    }
  });

  it('gives everyone who may see the run its coverage, even without its rows', async () => {
    const privacy = await signedIn(services, 'privacy_officer');
    const patient = truth.patients.find((p) => p.kind === 'adult')!;
    const run = await runSavedQuery(privacy, { queryId: 'patient-access-history', params: { patient: patient.mrn, ...truth.window } }, { wait: true });
    const auditor = await signedIn(services, 'auditor');
    const seen = await getRun(auditor, run.id);
    expect(seen.canViewResults).toBe(false);
    expect(seen.coverage).toEqual(run.coverage);
    expect(seen.coverage!.sources.cloudtrail!.gaps).toEqual(planted());
  });

  it('states the inventory coverage of a storage query dated before any report, and none for a catalog-only query', async () => {
    const ctx = await signedIn(services, 'privacy_officer');
    const asOf = addDays(truth.window.from, -30);
    const storage = await runSavedQuery(ctx, { queryId: 'storage-tier-distribution', params: { as_of: asOf } }, { wait: true });
    expect(storage).toMatchObject({ status: 'succeeded', rowCount: 0 });
    expect(storage.coverage).toEqual({
      from: asOf,
      to: asOf,
      sources: {
        s3_inventory: {
          daysWithLogs: 0,
          daysWithout: 1,
          gaps: [{ from: `${asOf}T00:00:00Z`, to: `${addDays(asOf, 1)}T00:00:00Z` }],
          firstDay: truth.inventoryReports[0]!.date,
          lastDay: truth.inventoryReports.at(-1)!.date,
        },
      },
    });
    const patient = truth.patients.find((p) => p.kind === 'adult')!;
    const studies = await runSavedQuery(ctx, { queryId: 'patient-studies', params: { patient: patient.mrn } }, { wait: true });
    expect(studies.status).toBe('succeeded');
    expect(studies.coverage).toBeNull();
  });

  it('puts the coverage in the JSON and FHIR exports; CSV stays plain', async () => {
    const ctx = await signedIn(services, 'privacy_officer');
    const patient = truth.patients.find((p) => p.kind === 'adult')!;
    const run = await runSavedQuery(ctx, { queryId: 'patient-access-history', params: { patient: patient.mrn, ...truth.window } }, { wait: true });
    const json = JSON.parse(await text((await exportRun(ctx, run.id, 'json')).body));
    expect(Object.keys(json)).toEqual(['runId', 'query', 'columns', 'rows', 'stats', 'coverage']);
    expect(json.coverage).toEqual(run.coverage);
    const fhir = JSON.parse(await text((await exportRun(ctx, run.id, 'fhir')).body));
    const extension = fhir.meta.extension.find((e: { url: string }) => e.url === EXTENSION.logCoverage);
    const cloudtrail = extension.extension.find((e: { url: string; extension?: { url: string; valueCode?: string }[] }) => e.url === 'source' && e.extension?.[0]?.valueCode === 'cloudtrail');
    const gaps = cloudtrail.extension.filter((e: { url: string }) => e.url === 'gap').map((g: { extension: { valueInstant: string }[] }) => ({ from: g.extension[0]!.valueInstant, to: g.extension[1]!.valueInstant }));
    expect(gaps).toEqual(planted());
    const csv = await text((await exportRun(ctx, run.id, 'csv')).body);
    expect(csv.split('\r\n')[0]).toMatch(/^event_time,principal,/);
    expect(csv).not.toContain('coverage');
  });
});
