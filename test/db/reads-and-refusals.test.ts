import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { journal } from '@/lib/db/schema';
import { compactLake } from '@/lib/lake/compact';
import { generateLake } from '@/lib/lake/generate';
import type { Truth } from '@/lib/lake/generate/truth';
import { DEFAULT_LAYOUT } from '@/lib/lake/layout';
import { getPatientReport } from '@/lib/patients/get-patient-report';
import { openPatientReport } from '@/lib/patients/open-patient-report';
import { cancelRun } from '@/lib/queries/cancel-run';
import { runSavedQuery } from '@/lib/queries/run-saved-query';
import { signedIn } from '../support/actors';
import { testServices, type TestServices } from '../support/services';

// Refusals and reads of someone else's work are journaled like any other: a cancel by someone who
// did not start the run, and one privacy officer opening another's patient view.
describe(`journaled refusals and reads (${process.env.CUSTOS_TEST_DB})`, () => {
  let lakeDir: string;
  let services: TestServices;
  let truth: Truth;
  beforeAll(async () => {
    lakeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-reads-lake-'));
    await generateLake({ outDir: lakeDir, layout: DEFAULT_LAYOUT, days: 5, eventsPerDay: 400, seed: 19, end: '2026-10-31' });
    await compactLake({ dir: lakeDir, layout: DEFAULT_LAYOUT }, {});
    truth = JSON.parse(fs.readFileSync(path.join(lakeDir, 'truth.json'), 'utf8')) as Truth;
    services = await testServices({ lakeDir, env: { CUSTOS_PORTAL_WORKER: 'off' } });
  });
  afterAll(async () => {
    await services?.dispose();
    fs.rmSync(lakeDir, { recursive: true, force: true });
  });

  it('journals a cancel by someone who did not start the run', async () => {
    const owner = await signedIn(services, 'privacy_officer');
    const run = await runSavedQuery(owner, { queryId: 'failed-access', params: truth.window }, { wait: false });
    const auditor = await signedIn(services, 'auditor');
    await expect(cancelRun(auditor, run.id)).rejects.toThrow(/Only the person who started a run can cancel it/);
    const entries = await services.database.db.select().from(journal).where(and(eq(journal.action, 'auth.forbidden'), eq(journal.subject, `run:${run.id}`)));
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actorId: auditor.actor.userId, details: { permission: 'run.cancel' } });
  });

  it('journals a privacy officer reading another officer’s patient view, both of its runs', async () => {
    const first = await signedIn(services, 'privacy_officer');
    const second = await signedIn(services, 'privacy_officer');
    const ref = await openPatientReport(first, { mrn: truth.patients[0]!.mrn, ...truth.window });
    await getPatientReport(first, ref);
    const ownReads = await services.database.db.select().from(journal).where(and(eq(journal.action, 'query.view_results'), eq(journal.actorId, first.actor.userId)));
    expect(ownReads).toHaveLength(0);
    await getPatientReport(second, ref);
    const reads = await services.database.db.select().from(journal).where(and(eq(journal.action, 'query.view_results'), eq(journal.actorId, second.actor.userId)));
    expect(reads.map((r) => r.subject).sort()).toEqual([ref.accessRunId, ref.studiesRunId].sort());
  });
});
