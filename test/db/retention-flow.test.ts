import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { journal } from '@/lib/db/schema';
import { deletionItems, deletionRequests, studyDispositions } from '@/lib/db/schema/retention';
import { verifyEvidence } from '@/lib/evidence/verify-evidence';
import { evidence } from '@/lib/db/schema';
import { allVersions } from '@/lib/storage/object-store';
import { approveDeletionRequest } from '@/lib/retention/approve-deletion-request';
import { createDeletionRequest } from '@/lib/retention/create-deletion-request';
import { explainStudyRetention } from '@/lib/retention/explain-study-retention';
import { getDeletionRequest } from '@/lib/retention/get-deletion-request';
import { CERTIFICATE_JOB, DELETION_JOB } from '@/lib/retention/job-kinds';
import { listDeletionRequests } from '@/lib/retention/list-deletion-requests';
import { listRetentionCandidates } from '@/lib/retention/list-retention-candidates';
import { manifestSha256, storedManifest } from '@/lib/retention/manifest';
import { DEFAULT_RULE_SET } from '@/lib/retention/rule-set';
import { inForceRuleSets } from '@/lib/retention/rule-sets';
import { runSavedQuery } from '@/lib/queries/run-saved-query';
import { testServices, type TestServices } from '../support/services';
import { signedIn } from '../support/actors';
import { PASSWORD, at, person, retentionLake, runQueued, type Person } from '../retention/support';

// The whole deletion flow on the demo lake and its archive, on both databases: candidates as the
// rule engine judges them, a request that freezes the manifest, two approvals, the executor, the
// disposition records and the signed certificate.
describe(`end-of-retention deletion, from candidate to certificate (${process.env.CUSTOS_TEST_DB})`, () => {
  let services: TestServices;
  let lake: Awaited<ReturnType<typeof retentionLake>>;
  let po: Person;
  let approver1: Person;
  let approver2: Person;
  const asOf = '2026-10-31';
  // the demo lake's last day; the archive's Object Lock is judged on the real clock (after it)
  const today = new Date('2026-11-02T10:00:00Z');

  beforeAll(async () => {
    lake = await retentionLake();
    services = await testServices({ lakeDir: lake.lakeDir });
    po = at(await person(services, 'privacy_officer', 'priya'), today);
    approver1 = at(await person(services, 'approver', 'ada'), today);
    approver2 = at(await person(services, 'approver', 'ben'), today);
  });
  afterAll(async () => {
    await services?.dispose();
    lake?.dispose();
  });

  it('puts the default rule set, version 1, in force from the migration', async () => {
    expect(await inForceRuleSets(services.database.db)).toEqual([DEFAULT_RULE_SET]);
  });

  it("lists as candidates exactly the studies truth.json says are past retention and not held", async () => {
    const result = await listRetentionCandidates(po, { asOf });
    expect(result.candidates.map((c) => c.studyInstanceUid).sort()).toEqual([...lake.truth.retentionDue].sort());
    expect(result.candidates.every((c) => c.retainUntil! <= asOf)).toBe(true);
    // the planted no-access patient's mammogram is on legal hold, and past 7 (not 10) years
    const held = lake.truth.patients.find((p) => p.kind === 'no-access')!.studies.find((s) => s.modality === 'MG')!;
    expect(result.candidates.map((c) => c.studyInstanceUid)).not.toContain(held.studyInstanceUid);
  });

  it('explains a study to the privacy officer with its birth date and to an approver without it', async () => {
    const adult = lake.truth.patients.find((p) => p.kind === 'adult')!;
    const old = adult.studies[0]!;
    const forPo = await explainStudyRetention(po, { study: old.studyInstanceUid, asOf });
    expect(forPo.json).toMatchObject({ study: old.studyInstanceUid, retentionClass: 'adult', rule: 'adult-7y', ruleSetVersion: 1, deletable: true, reasons: [] });
    expect(forPo.json.birthDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const forApprover = await explainStudyRetention(approver1, { study: old.studyInstanceUid, asOf });
    expect(forApprover.json.birthDate).toBeNull();
    expect(forApprover.steps.join(' ')).not.toContain(forPo.json.birthDate!);
    expect(forApprover.json).toEqual({ ...forPo.json, birthDate: null });
  });

  it('runs the whole flow: request, two approvals, execution, disposition, certificate', async () => {
    const adult = lake.truth.patients.find((p) => p.kind === 'adult')!;
    const old = adult.studies[0]!.studyInstanceUid;
    const others = lake.truth.retentionDue.filter((u) => u !== old).slice(0, 2);
    const cohort = [old, ...others];
    const created = await createDeletionRequest(po, { studies: cohort, reason: 'Annual end-of-retention review 2026, cohort A' });
    expect(created.totals.studies).toBe(3);

    const request = await getDeletionRequest(approver1, { requestId: created.id });
    const manifest = request.manifest!;
    expect(manifestSha256(manifest)).toBe(created.manifestSha256);
    expect(JSON.stringify(manifest)).not.toContain(adult.patientIdHash);
    expect(JSON.stringify(manifest)).not.toContain(adult.mrn);
    // every version the archive holds under each study's prefix is in the manifest, with its lock
    for (const s of manifest.studies) {
      const listed: string[] = [];
      for await (const v of allVersions(services.objects, { bucket: services.env.CUSTOS_ARCHIVE_BUCKET, prefix: s.s3KeyPrefix! })) listed.push(`${v.key}@${v.versionId}`);
      expect(s.objects.map((o) => `${o.key}@${o.versionId}`).sort()).toEqual(listed.sort());
      expect(s.objects.every((o) => o.retainUntil !== null && o.retainUntil < today.toISOString())).toBe(true);
      expect(s.imageSets).toHaveLength(1);
    }

    // the requester cannot approve, the first approval needs the password, the second releases the executor
    await expect(approveDeletionRequest(po, { requestId: created.id, manifestSha256: created.manifestSha256, password: PASSWORD })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(approveDeletionRequest(approver1, { requestId: created.id, manifestSha256: created.manifestSha256, password: 'wrong' })).rejects.toMatchObject({ code: 'validation' });
    expect(await approveDeletionRequest(approver1, { requestId: created.id, manifestSha256: created.manifestSha256, password: PASSWORD })).toMatchObject({ state: 'pending', approvals: 1, final: false });
    expect((await listDeletionRequests(approver2)).find((r) => r.id === created.id)).toMatchObject({ awaitingMe: true, approvals: 1 });
    expect(await approveDeletionRequest(approver2, { requestId: created.id, manifestSha256: created.manifestSha256, password: PASSWORD })).toMatchObject({ state: 'approved', approvals: 2, final: true });

    const [run] = await runQueued(services, DELETION_JOB, created.id);
    expect(run).toMatchObject({ state: 'succeeded' });
    const [row] = await services.database.db.select().from(deletionRequests).where(eq(deletionRequests.id, created.id));
    expect(row!.state).toBe('completed');
    const items = await services.database.db.select().from(deletionItems).where(eq(deletionItems.requestId, created.id));
    expect(items.every((i) => i.state === 'deleted' && i.attempts === 1)).toBe(true);
    expect(items).toHaveLength(manifest.totals.objectVersions + manifest.totals.imageSets);

    // nothing of the manifest remains; the image sets are gone
    for (const s of manifest.studies) {
      const left: string[] = [];
      for await (const v of allVersions(services.objects, { bucket: services.env.CUSTOS_ARCHIVE_BUCKET, prefix: s.s3KeyPrefix! })) left.push(v.key);
      expect(left).toEqual([]);
      await expect(services.imageSets.get(s.imageSets[0]!)).rejects.toMatchObject({ code: 'not-found' });
    }
    // a study of another request's cohort was not touched
    const untouched = lake.truth.retentionDue.find((u) => !cohort.includes(u))!;
    expect((await explainStudyRetention(po, { study: untouched, asOf })).json.deletable).toBe(true);

    const dispositions = await services.database.db.select().from(studyDispositions).where(eq(studyDispositions.requestId, created.id));
    expect(dispositions.map((d) => d.studyInstanceUid).sort()).toEqual([...cohort].sort());
    expect(dispositions.find((d) => d.studyInstanceUid === old)!.patientIdHash).toBe(adult.patientIdHash);

    // the disposed studies are candidates no more, and the explanation says why
    const after = await listRetentionCandidates(po, { asOf });
    for (const uid of cohort) expect(after.candidates.map((c) => c.studyInstanceUid)).not.toContain(uid);
    expect((await explainStudyRetention(po, { study: old, asOf })).json.reasons).toContain(`already disposed on ${dispositions[0]!.disposedAt.toISOString().slice(0, 10)}`);

    // the access history of the disposed study is still answerable by patient
    const ctx = await signedIn(services, 'privacy_officer');
    const history = await runSavedQuery(ctx, { queryId: 'patient-access-history', params: { patient: adult.mrn, ...lake.truth.window } }, { wait: true });
    expect(history.rowCount).toBe(adult.accesses.length);
    expect(adult.accesses.some((a) => a.studyInstanceUid === old)).toBe(true);

    // the certificate: signed, registered, verifiable
    const [cert] = await runQueued(services, CERTIFICATE_JOB, created.id);
    expect(cert).toMatchObject({ state: 'succeeded' });
    const done = await getDeletionRequest(approver2, { requestId: created.id });
    expect(done.state).toBe('completed');
    expect(done.certificate?.evidenceId).toMatch(/^EV-/);
    const [registered] = await services.database.db.select().from(evidence).where(eq(evidence.evidenceId, done.certificate!.evidenceId));
    const pdf = (await services.objects.get({ bucket: registered!.objectBucket, key: registered!.objectKey, versionId: registered!.objectVersionId })).body;
    const check = await verifyEvidence(po, Buffer.from(pdf));
    expect(check).toMatchObject({ valid: true, unmodified: true, registered: true, kind: 'disposition' });
    expect(done.history.map((h) => h.action)).toEqual(
      expect.arrayContaining(['retention_request.create', 'retention_request.approve', 'retention_request.execute', 'retention_request.study_disposed', 'retention_request.complete', 'retention_request.certificate']),
    );

    // the journal names studies by pseudonym only
    const entries = await services.database.db.select().from(journal).where(eq(journal.subject, created.id));
    expect(JSON.stringify(entries.map((e) => e.details))).not.toContain(old);
    expect(storedManifest(row!.manifest).studies.map((s) => s.studyInstanceUid)).toEqual([...cohort].sort());
  });
});
