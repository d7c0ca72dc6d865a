import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorId } from '@/lib/actor';
import { journal, queryRuns } from '@/lib/db/schema';
import { CANARY_MRN } from '@/lib/lake/catalog-canary';
import { compactLake } from '@/lib/lake/compact';
import { generateLake } from '@/lib/lake/generate';
import { personOf, type Truth, type TruthPatient } from '@/lib/lake/generate/truth';
import { DEFAULT_LAYOUT } from '@/lib/lake/layout';
import { getPatientLink } from '@/lib/patients/get-patient-link';
import { getPatientReport, getPatientReportAt } from '@/lib/patients/get-patient-report';
import { mrnCandidates, openPatientReport } from '@/lib/patients/open-patient-report';
import { describeResults } from '@/lib/queries/describe-results';
import { getRunResults } from '@/lib/queries/get-run-results';
import { listAuditQueries } from '@/lib/queries/list-section-queries';
import { openPatientLink, PATIENT_LINK_TTL_MS, sealPatientLink } from '@/lib/queries/patient-link';
import { runSavedQuery } from '@/lib/queries/run-saved-query';
import { signedIn } from '../support/actors';
import { testServices, type TestServices } from '../support/services';

// The patient view: an MRN looked up exactly as typed, its documented variants only when that finds
// nothing (and said so), an unknown patient told apart from one nobody accessed, a per-person
// summary, and result rows that open a patient's view by a sealed link, journaled like any view.
describe(`the patient view (${process.env.CUSTOS_TEST_DB})`, () => {
  let lakeDir: string;
  let services: TestServices;
  let truth: Truth;
  const patient = (kind: TruthPatient['kind']) => truth.patients.find((p) => p.kind === kind)!;

  beforeAll(async () => {
    lakeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-patient-view-lake-'));
    await generateLake({ outDir: lakeDir, layout: DEFAULT_LAYOUT, days: 5, eventsPerDay: 400, seed: 23, end: '2026-10-31' });
    await compactLake({ dir: lakeDir, layout: DEFAULT_LAYOUT }, {});
    truth = JSON.parse(fs.readFileSync(path.join(lakeDir, 'truth.json'), 'utf8')) as Truth;
    services = await testServices({ lakeDir, env: { CUSTOS_PORTAL_WORKER: 'off' } });
  });
  afterAll(async () => {
    await services?.dispose();
    fs.rmSync(lakeDir, { recursive: true, force: true });
  });

  const runsOf = async (queryId: string) => (await services.database.db.select().from(queryRuns).where(eq(queryRuns.queryId, queryId))).length;
  const lastView = async () => (await services.database.db.select().from(journal).where(eq(journal.action, 'patient.view')).orderBy(desc(journal.seq)).limit(1))[0]!;

  it('reads an MRN exactly as typed first, then trimmed, then in upper case, never twice the same', () => {
    expect(mrnCandidates('MRN0001234')).toEqual([{ match: 'as-written', value: 'MRN0001234' }]);
    expect(mrnCandidates('mrn0001234')).toEqual([
      { match: 'as-written', value: 'mrn0001234' },
      { match: 'upper-case', value: 'MRN0001234' },
    ]);
    expect(mrnCandidates('  mrn0001234 ')).toEqual([
      { match: 'trimmed', value: 'mrn0001234' },
      { match: 'upper-case', value: 'MRN0001234' },
    ]);
    expect(mrnCandidates("' OR 1=1 --")).toEqual([]);
  });

  it('opens a known patient by the MRN as typed, with a per-person summary and the answering columns first', async () => {
    const po = await signedIn(services, 'privacy_officer');
    const adult = patient('adult');
    const opened = await openPatientReport(po, { mrn: adult.mrn, ...truth.window });
    expect(opened).toMatchObject({ match: 'as-written', tried: ['as-written'] });
    expect(opened.path).toMatch(/^\/patients\/report\?view=[A-Za-z0-9_-]+$/);
    for (const secret of [adult.mrn, adult.patientIdHash, opened.accessRunId!, opened.studiesRunId]) expect(opened.path).not.toContain(secret);

    const report = await getPatientReportAt(po, { view: opened.path.split('view=')[1] });
    expect(report).toMatchObject({ found: true, match: 'as-written', tried: ['as-written'] });
    expect(report.studies.rows).toHaveLength(adult.studies.length);
    expect(report.totals.accesses).toBe(adult.accesses.length);
    expect(report.accessColumns.slice(0, 6).map((c) => c.name)).toEqual(['event_time', 'federated_user', 'action', 'study_instance_uid', 'outcome', 'source_ip']);

    const want = new Map<string, { accesses: number; first: string; last: string; studies: Set<string> }>();
    for (const a of adult.accesses) {
      const person = personOf(a.principal);
      const p = want.get(person) ?? { accesses: 0, first: a.time, last: a.time, studies: new Set<string>() };
      p.accesses++;
      if (a.time < p.first) p.first = a.time;
      if (a.time > p.last) p.last = a.time;
      p.studies.add(a.studyInstanceUid);
      want.set(person, p);
    }
    expect(report.people.map((p) => p.person).sort()).toEqual([...want.keys()].sort());
    for (const p of report.people) {
      const w = want.get(p.person)!;
      expect({ accesses: p.accesses, first: p.first, last: p.last, studies: p.studies.map((s) => s.studyInstanceUid).sort() }).toEqual({
        accesses: w.accesses, first: w.first, last: w.last, studies: [...w.studies].sort(),
      });
      expect(p.studies.every((s) => adult.studies.some((t) => t.accessionNumber === s.accessionNumber && t.studyInstanceUid === s.studyInstanceUid))).toBe(true);
    }
    const counts = report.people.map((p) => p.accesses);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
    expect(report.totals.people).toBe(want.size);
  });

  it('says which variant found the patient when the MRN as typed did not, and journals the tries', async () => {
    const po = await signedIn(services, 'privacy_officer');
    const adult = patient('adult');
    const lower = await openPatientReport(po, { mrn: adult.mrn.toLowerCase(), ...truth.window });
    expect(lower).toMatchObject({ match: 'upper-case', tried: ['as-written', 'upper-case'] });
    const view = await lastView();
    expect(view.details).toMatchObject({ match: 'upper-case', studiesRun: lower.studiesRunId });
    const tried = (view.details as { triedRuns: string[] }).triedRuns;
    expect(tried).toHaveLength(1);
    const [asTyped] = await services.database.db.select().from(queryRuns).where(eq(queryRuns.id, tried[0]!));
    expect(asTyped).toMatchObject({ queryId: 'patient-studies', rowCount: 0 });
    expect((await getPatientReport(po, lower)).totals.accesses).toBe(adult.accesses.length);

    const spaced = await openPatientReport(po, { mrn: `  ${adult.mrn} `, ...truth.window });
    expect(spaced).toMatchObject({ match: 'trimmed', tried: ['trimmed'] });
  });

  it('tells an unknown patient apart from one whom nobody accessed, and never takes the canary row for a study', async () => {
    const po = await signedIn(services, 'privacy_officer');
    const accessRuns = await runsOf('patient-access-history');
    for (const mrn of ['zz-no-such-patient', CANARY_MRN]) {
      const opened = await openPatientReport(po, { mrn, ...truth.window });
      expect(opened.accessRunId).toBeNull();
      expect(opened.match).toBeNull();
      const report = await getPatientReport(po, opened);
      expect(report).toMatchObject({ found: false, accessRun: null, people: [], totals: { accesses: 0 } });
      expect(report.studies.rows).toEqual([]);
      expect((await lastView()).details).toMatchObject({ match: 'none', studiesRun: opened.studiesRunId });
    }
    expect((await openPatientReport(po, { mrn: 'zz-no-such-patient', ...truth.window })).tried).toEqual(['as-written', 'upper-case']);
    // no access history runs for a patient the catalog does not know
    expect(await runsOf('patient-access-history')).toBe(accessRuns);

    const nobody = await getPatientReport(po, await openPatientReport(po, { mrn: patient('no-access').mrn, ...truth.window }));
    expect(nobody).toMatchObject({ found: true, people: [], totals: { accesses: 0 } });
    expect(nobody.studies.rows.length).toBe(patient('no-access').studies.length);
  });

  it('refuses bad values by field, as a run would, and runs nothing', async () => {
    const po = await signedIn(services, 'privacy_officer');
    const before = (await services.database.db.select().from(queryRuns)).length;
    await expect(openPatientReport(po, { mrn: "' OR 1=1 --", from: truth.window.to, to: truth.window.from })).rejects.toMatchObject({
      fieldErrors: { patient: expect.stringMatching(/letters, digits or dashes/), to: expect.stringMatching(/on or after/) },
    });
    await expect(openPatientReport(po, { mrn: patient('adult').mrn, from: truth.window.to, to: truth.window.from })).rejects.toMatchObject({
      fieldErrors: { to: expect.stringMatching(/on or after/) },
    });
    expect((await services.database.db.select().from(queryRuns)).length).toBe(before);
  });

  it('links a VIP access row to its patient for a privacy officer only, by a sealed reference that opens a journaled view', async () => {
    const po = await signedIn(services, 'privacy_officer');
    const vip = patient('vip');
    expect(vip.accesses.length).toBeGreaterThan(0);
    const run = await runSavedQuery(po, { queryId: 'vip-access', params: truth.window }, { wait: true });
    const page = await getRunResults(po, run.id, { limit: 500 });
    const view = await describeResults(po, { queryId: run.queryId, parameters: run.parameters, columns: page.columns, rows: page.rows });
    const hashAt = page.columns.findIndex((c) => c.name === 'patient_id_hash');
    expect(view.columns[1]!.name).toBe('patient_id_hash');
    expect(view.links).toHaveLength(page.rows.length);
    const row = page.rows.findIndex((r) => r[hashAt] === vip.patientIdHash);
    const href = view.links[row]!.patients[hashAt]!;
    expect(href).toMatch(/^\/patients\?ref=[A-Za-z0-9_-]+$/);
    for (const p of truth.patients) {
      expect(href).not.toContain(p.patientIdHash);
      expect(href).not.toContain(p.mrn);
    }
    const token = href.split('ref=')[1]!;
    expect(openPatientLink(services.keys, actorId(po.actor), token, new Date())).toMatchObject({ ok: true, patientIdHash: vip.patientIdHash });

    // the Patients page shows the patient by pseudonym; opening reads by hash and is journaled
    const described = await getPatientLink(po, token);
    expect(described).toMatchObject({ ok: true, reference: expect.stringMatching(/^P-[0-9A-HJKMNP-TV-Z]{12}$/) });
    const opened = await openPatientReport(po, { ref: token, ...truth.window });
    expect(opened).toMatchObject({ match: 'link', tried: ['link'] });
    const report = await getPatientReport(po, opened);
    expect(report.totals.accesses).toBe(vip.accesses.length);
    expect(report.patient.reference).toBe((described as { reference: string }).reference);
    expect((await lastView()).details).toMatchObject({ match: 'link', studiesRun: opened.studiesRunId, patient: report.patient.reference });
    const [accessRun] = await services.database.db.select().from(queryRuns).where(eq(queryRuns.id, opened.accessRunId!));
    expect(accessRun).toMatchObject({ queryId: 'patient-access-history', rerunOf: null, parameters: { patient: report.patient.reference } });

    // someone else, a later day, a role without PHI: nothing opens
    const other = await signedIn(services, 'privacy_officer');
    await expect(openPatientReport(other, { ref: token, ...truth.window })).rejects.toThrow(/not valid for you/);
    const stale = sealPatientLink(services.keys, actorId(po.actor), vip.patientIdHash, new Date(Date.now() - PATIENT_LINK_TTL_MS - 1000));
    await expect(openPatientReport(po, { ref: stale, ...truth.window })).rejects.toThrow(/expired/);
    const security = await signedIn(services, 'security_officer');
    await expect(openPatientReport(security, { ref: token, ...truth.window })).rejects.toThrow(/does not allow/);
    const unseen = await describeResults(security, { queryId: run.queryId, parameters: run.parameters, columns: page.columns, rows: page.rows });
    expect(unseen.links.every((l) => Object.keys(l.patients).length === 0)).toBe(true);
  });

  it('drills from an after-hours summary row into that person’s requests of that day', async () => {
    const po = await signedIn(services, 'privacy_officer');
    const run = await runSavedQuery(po, { queryId: 'after-hours-summary', params: truth.window }, { wait: true });
    const page = await getRunResults(po, run.id, { limit: 5 });
    expect(page.rows.length).toBeGreaterThan(0);
    const view = await describeResults(po, { queryId: run.queryId, parameters: run.parameters, columns: page.columns, rows: page.rows });
    expect(view.drilldownLabel).toBe('Show requests');
    const [person, day] = page.rows[0]!;
    const href = new URL(view.links[0]!.drilldown!, 'https://custos.test');
    expect(href.pathname).toBe('/audit/after-hours-access');
    expect(Object.fromEntries(href.searchParams)).toEqual({
      person: String(person), from: String(day), to: String(day),
      time_zone: run.parameters.time_zone, start_hour: run.parameters.start_hour, end_hour: run.parameters.end_hour,
    });
    const detail = await runSavedQuery(po, { queryId: 'after-hours-access', params: Object.fromEntries(href.searchParams) }, { wait: true });
    expect(detail.rowCount).toBe(page.rows[0]![2]);

    // the audit index shows the summary first, right before the requests it opens
    const ids = (await listAuditQueries(po)).map((q) => q.id);
    expect(ids.indexOf('after-hours-access') - ids.indexOf('after-hours-summary')).toBe(1);
  });
});
