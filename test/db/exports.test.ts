import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { journal } from '@/lib/db/schema';
import { compactLake } from '@/lib/lake/compact';
import { generateLake } from '@/lib/lake/generate';
import type { Truth } from '@/lib/lake/generate/truth';
import { DEFAULT_LAYOUT } from '@/lib/lake/layout';
import { requestExport } from '@/lib/queries/request-export';
import { runSavedQuery } from '@/lib/queries/run-saved-query';
import { takeDownload } from '@/lib/queries/take-download';
import { signedIn } from '../support/actors';
import { testServices, type TestServices } from '../support/services';

async function text(body: AsyncIterable<string>): Promise<string> {
  let out = '';
  for await (const chunk of body) out += chunk;
  return out;
}

// An export is started by a request that journals it and hands back a single-use, short-lived
// download for the person who asked; fetching that address is the only way to the file.
describe(`exports (${process.env.CUSTOS_TEST_DB})`, () => {
  let lakeDir: string;
  let services: TestServices;
  let truth: Truth;
  beforeAll(async () => {
    lakeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-exports-lake-'));
    await generateLake({ outDir: lakeDir, layout: DEFAULT_LAYOUT, days: 5, eventsPerDay: 400, seed: 17, end: '2026-10-31' });
    await compactLake({ dir: lakeDir, layout: DEFAULT_LAYOUT }, {});
    truth = JSON.parse(fs.readFileSync(path.join(lakeDir, 'truth.json'), 'utf8')) as Truth;
    services = await testServices({ lakeDir });
  });
  afterAll(async () => {
    await services?.dispose();
    fs.rmSync(lakeDir, { recursive: true, force: true });
  });

  const tokenOf = (url: string) => url.replace('/api/downloads/', '');
  const actions = async (runId: string) => (await services.database.db.select().from(journal).where(eq(journal.subject, runId)).orderBy(journal.seq)).map((e) => e.action);

  it('journals the request, then delivers the file once', async () => {
    const owner = await signedIn(services, 'security_officer');
    const run = await runSavedQuery(owner, { queryId: 'failed-access', params: truth.window }, { wait: true });
    const { url, expiresAt } = await requestExport(owner, { runId: run.id, format: 'csv' });
    expect(new Date(expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(60_000);
    expect(await actions(run.id)).toEqual(['query.run', 'query.run_finished', 'query.export']);
    const file = await takeDownload(owner, tokenOf(url));
    expect((await text(file.body)).split('\r\n')).toHaveLength(run.rowCount! + 2);
    expect(await actions(run.id)).toEqual(['query.run', 'query.run_finished', 'query.export', 'query.export_downloaded']);
    await expect(takeDownload(owner, tokenOf(url))).rejects.toThrow(/download .* was not found/i);
  });

  it('delivers nothing to someone else, after a minute, or for a made-up address', async () => {
    const owner = await signedIn(services, 'security_officer');
    const run = await runSavedQuery(owner, { queryId: 'failed-access', params: truth.window }, { wait: true });
    const other = await signedIn(services, 'privacy_officer');
    const { url } = await requestExport(owner, { runId: run.id, format: 'json' });
    await expect(takeDownload(other, tokenOf(url))).rejects.toThrow(/not found/);
    const later = { ...owner, now: () => new Date(Date.now() + 61_000) };
    await expect(takeDownload(later, tokenOf(url))).rejects.toThrow(/not found/);
    await expect(takeDownload(owner, 'A'.repeat(43))).rejects.toThrow(/not found/);
    await expect(takeDownload(owner, '../../etc/passwd')).rejects.toThrow(/not found/);
    expect((await takeDownload(owner, tokenOf(url))).filename).toMatch(/\.json$/); // still the owner's, within its minute
  });

  it('refuses to start an export of a run the person may not read, naming the field when the format is wrong', async () => {
    const owner = await signedIn(services, 'privacy_officer');
    const run = await runSavedQuery(owner, { queryId: 'patient-access-history', params: { patient: truth.patients[0]!.mrn, ...truth.window } }, { wait: true });
    const auditor = await signedIn(services, 'auditor');
    await expect(requestExport(auditor, { runId: run.id, format: 'csv' })).rejects.toThrow(/may not run this query/);
    await expect(requestExport(owner, { runId: run.id, format: 'pdf' })).rejects.toThrow(/Format: choose one of: csv, json, fhir/);
  });
});
