import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { journal, queryRuns } from '@/lib/db/schema';
import { compactLake } from '@/lib/lake/compact';
import { generateLake } from '@/lib/lake/generate';
import type { Truth } from '@/lib/lake/generate/truth';
import { DEFAULT_LAYOUT } from '@/lib/lake/layout';
import { getPatientReport } from '@/lib/patients/get-patient-report';
import { openPatientReport } from '@/lib/patients/open-patient-report';
import { getRun } from '@/lib/queries/get-run';
import { listRuns } from '@/lib/queries/list-runs';
import { runSavedQuery } from '@/lib/queries/run-saved-query';
import { signedIn } from '../support/actors';
import { testServices, type TestServices } from '../support/services';

// No part of a patient identifier stays in clear in the run ledger or the journal, and roles that
// may not read PHI see runs by opaque references only; people who may, see partial values.
describe(`patient identifiers in the ledger and the journal (${process.env.CUSTOS_TEST_DB})`, () => {
  let lakeDir: string;
  let services: TestServices;
  let truth: Truth;
  let identifiers: string[];

  beforeAll(async () => {
    lakeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-phi-lake-'));
    await generateLake({ outDir: lakeDir, layout: DEFAULT_LAYOUT, days: 5, eventsPerDay: 400, seed: 11, end: '2026-10-31' });
    await compactLake({ dir: lakeDir, layout: DEFAULT_LAYOUT }, {});
    truth = JSON.parse(fs.readFileSync(path.join(lakeDir, 'truth.json'), 'utf8')) as Truth;
    services = await testServices({ lakeDir });
    identifiers = truth.patients.flatMap((p) => [p.mrn, `•${p.mrn.slice(-4)}`, p.patientIdHash, ...p.studies.flatMap((s) => [s.studyInstanceUid, s.accessionNumber])]);
    const po = await signedIn(services, 'privacy_officer');
    for (const p of truth.patients) await openPatientReport(po, { mrn: p.mrn, ...truth.window });
    const study = truth.patients[0]!.studies[0]!;
    for (const value of [study.studyInstanceUid, study.accessionNumber]) {
      await runSavedQuery(po, { queryId: 'study-access', params: { study: value, ...truth.window } }, { wait: true });
    }
  });
  afterAll(async () => {
    await services?.dispose();
    fs.rmSync(lakeDir, { recursive: true, force: true });
  });

  const leaks = (text: string) => identifiers.filter((id) => text.includes(id));

  it('keeps none in clear in any ledger row or journal entry', async () => {
    const runs = await services.database.db.select().from(queryRuns);
    expect(runs.length).toBeGreaterThanOrEqual(2 * truth.patients.length + 2);
    const ledger = JSON.stringify(runs.map(({ phi: _sealed, ...row }) => row));
    const entries = JSON.stringify(await services.database.db.select().from(journal));
    expect(leaks(ledger)).toEqual([]);
    expect(leaks(entries)).toEqual([]);
    // the sealed column holds them, unreadable without the installation key
    expect(leaks(runs.map((r) => Buffer.from(r.phi ?? '', 'base64').toString('latin1')).join('\n'))).toEqual([]);
  });

  it.each(['auditor', 'admin', 'security_officer', 'approver'] as const)('shows a %s runs by opaque references only', async (role) => {
    const viewer = await signedIn(services, role);
    const { runs } = await listRuns(viewer, {});
    const details = await Promise.all(runs.map((r) => getRun(viewer, r.id)));
    expect(leaks(JSON.stringify([runs, details]))).toEqual([]);
    for (const run of details) expect(run.phiParameters).toBeNull();
    if (role === 'auditor') {
      expect(runs.filter((r) => r.queryId === 'patient-access-history').map((r) => r.parameters.patient)).toEqual(
        expect.arrayContaining([expect.stringMatching(/^P-[0-9A-HJKMNP-TV-Z]{12}$/)]),
      );
    }
  });

  it('distinguishes two patients in the history, and shows the privacy officer the last characters', async () => {
    const po = await signedIn(services, 'privacy_officer');
    const { runs } = await listRuns(po, { queryId: 'patient-access-history' });
    const references = new Set(runs.map((r) => r.parameters.patient));
    expect(references.size).toBe(truth.patients.length);
    expect(runs.map((r) => r.phiParameters?.patient).sort()).toEqual(truth.patients.map((p) => `${'•'.repeat(p.mrn.length - 4)}${p.mrn.slice(-4)}`).sort());
  });

  it('opens a patient view only from the two runs of one patient', async () => {
    const po = await signedIn(services, 'privacy_officer');
    const [a, b] = truth.patients;
    const first = await openPatientReport(po, { mrn: a!.mrn, ...truth.window });
    const second = await openPatientReport(po, { mrn: b!.mrn, ...truth.window });
    await expect(getPatientReport(po, { accessRunId: first.accessRunId, studiesRunId: second.studiesRunId })).rejects.toThrow(/not found/);
    const report = await getPatientReport(po, first);
    expect(report.patient.reference).toMatch(/^P-/);
    expect(report.patient.partial).toMatch(new RegExp(`${a!.mrn.slice(-4)}$`));
  });
});
