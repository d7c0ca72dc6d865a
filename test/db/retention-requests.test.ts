import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authSessions, journal, users } from '@/lib/db/schema';
import { deletionDecisions, deletionItems, deletionRequests, deletionRequestStudies } from '@/lib/db/schema/retention';
import { allVersions } from '@/lib/storage/object-store';
import { approveDeletionRequest } from '@/lib/retention/approve-deletion-request';
import { createDeletionRequest } from '@/lib/retention/create-deletion-request';
import { DELETION_JOB } from '@/lib/retention/job-kinds';
import { liftLegalHold } from '@/lib/retention/lift-legal-hold';
import { placeLegalHold } from '@/lib/retention/place-legal-hold';
import { rejectDeletionRequest } from '@/lib/retention/reject-deletion-request';
import { saveRuleSet } from '@/lib/retention/save-rule-set';
import { explainStudyRetention } from '@/lib/retention/explain-study-retention';
import { withdrawDeletionRequest } from '@/lib/retention/withdraw-deletion-request';
import { manifestSha256, storedManifest } from '@/lib/retention/manifest';
import { makeCtx } from '@/lib/context';
import { createSession } from '@/lib/auth/sessions';
import { userActor } from '@/lib/actor';
import { testServices, type TestServices } from '../support/services';
import { signedIn } from '../support/actors';
import { PASSWORD, at, person, retentionLake, runQueued, type Person } from '../retention/support';

// Every allowed and forbidden move of a deletion request through its verbs, on both databases:
// who may file, approve, reject and withdraw; what an approval is bound to; and the executor
// refusing to start (deleting nothing) when approvals, holds or the manifest are not as approved.
describe(`deletion requests: the state machine through its verbs (${process.env.CUSTOS_TEST_DB})`, () => {
  let services: TestServices;
  let lake: Awaited<ReturnType<typeof retentionLake>>;
  let po: Person;
  let a1: Person;
  let a2: Person;
  let a3: Person;
  let due: string[];
  const today = new Date('2026-11-02T10:00:00Z');
  const take = () => due.shift()!;
  const versionsUnder = async (prefix: string) => {
    const out: string[] = [];
    for await (const v of allVersions(services.objects, { bucket: services.env.CUSTOS_ARCHIVE_BUCKET, prefix })) out.push(`${v.key}@${v.versionId}`);
    return out;
  };
  const file = (studies: string[]) => createDeletionRequest(po, { studies, reason: 'End-of-retention review, test cohort' });
  const approve = (who: Person, id: string, sha: string, password = PASSWORD) => approveDeletionRequest(who, { requestId: id, manifestSha256: sha, password });
  const stateOf = async (id: string) => (await services.database.db.select().from(deletionRequests).where(eq(deletionRequests.id, id)))[0]!;

  beforeAll(async () => {
    lake = await retentionLake(43);
    services = await testServices({ lakeDir: lake.lakeDir });
    po = at(await person(services, 'privacy_officer', 'priya'), today);
    a1 = at(await person(services, 'approver', 'ada'), today);
    a2 = at(await person(services, 'approver', 'ben'), today);
    a3 = at(await person(services, 'approver', 'cy'), today);
    due = [...lake.truth.retentionDue];
  });
  afterAll(async () => {
    await services?.dispose();
    lake?.dispose();
  });

  describe('filing', () => {
    it('is for the privacy officer only; a refused role changes nothing but the journal', async () => {
      const so = await signedIn(services, 'security_officer');
      const before = (await services.database.db.select().from(deletionRequests)).length;
      await expect(createDeletionRequest(so, { studies: [due[0]], reason: 'not mine to ask for' })).rejects.toMatchObject({ code: 'forbidden' });
      await expect(createDeletionRequest(a1, { studies: [due[0]], reason: 'not mine to ask for' })).rejects.toMatchObject({ code: 'forbidden' });
      expect((await services.database.db.select().from(deletionRequests)).length).toBe(before);
      const refusals = await services.database.db.select().from(journal).where(eq(journal.action, 'auth.forbidden'));
      expect(refusals.some((r) => r.actorId === so.actor.userId)).toBe(true);
    });

    it('names the bad field', async () => {
      await expect(createDeletionRequest(po, { studies: [due[0]], reason: 'short' })).rejects.toMatchObject({ code: 'validation', fieldErrors: { reason: expect.any(String) } });
      await expect(createDeletionRequest(po, { studies: [], reason: 'a good enough reason' })).rejects.toMatchObject({ fieldErrors: { studies: expect.any(String) } });
      await expect(createDeletionRequest(po, { studies: ['1.2.3.999999'], reason: 'a good enough reason' })).rejects.toMatchObject({ fieldErrors: { studies: expect.stringMatching(/not in the catalog/) } });
    });

    it('refuses a study not past retention, one on legal hold, and one already in an open request', async () => {
      const recent = lake.truth.patients.find((p) => p.kind === 'adult')!.studies[1]!.studyInstanceUid;
      await expect(file([recent])).rejects.toThrow(/retention has not ended/);
      const held = take();
      const hold = await placeLegalHold(po, { study: held, reason: 'Litigation hold, matter 2026-114' });
      await expect(file([held])).rejects.toThrow(/legal hold placed in Custos/);
      await liftLegalHold(po, { holdId: hold.id, reason: 'Matter 2026-114 closed' });
      const first = await file([held]);
      await expect(file([held])).rejects.toMatchObject({ code: 'conflict' });
      await withdrawDeletionRequest(po, { requestId: first.id, reason: 'filed twice by mistake' });
      // withdrawn, the study is free again
      const again = await file([held]);
      await withdrawDeletionRequest(po, { requestId: again.id, reason: 'test done' });
    });
  });

  describe('approving', () => {
    it('refuses self-approval and a second approval by the same person; a double submit counts once', async () => {
      const r = await file([take()]);
      await expect(approve(po, r.id, r.manifestSha256)).rejects.toMatchObject({ code: 'forbidden' });
      expect(await approve(a1, r.id, r.manifestSha256)).toMatchObject({ approvals: 1, final: false });
      await expect(approve(a1, r.id, r.manifestSha256)).rejects.toMatchObject({ code: 'conflict' });
      const decisions = await services.database.db.select().from(deletionDecisions).where(eq(deletionDecisions.requestId, r.id));
      expect(decisions).toHaveLength(1);
      expect((await stateOf(r.id)).state).toBe('pending');
      await withdrawDeletionRequest(po, { requestId: r.id, reason: 'test done' });
    });

    it('requires the password just before approving, and journals a wrong one', async () => {
      const r = await file([take()]);
      await expect(approveDeletionRequest(a1, { requestId: r.id, manifestSha256: r.manifestSha256 })).rejects.toMatchObject({ fieldErrors: { password: expect.any(String) } });
      await expect(approve(a1, r.id, r.manifestSha256, 'not it')).rejects.toMatchObject({ fieldErrors: { password: expect.any(String) } });
      const failed = await services.database.db.select().from(journal).where(eq(journal.action, 'retention_request.step_up_failed'));
      expect(failed.some((f) => f.subject === a1.actor.email)).toBe(true);
      expect(await services.database.db.select().from(deletionDecisions).where(eq(deletionDecisions.requestId, r.id))).toHaveLength(0);
      await withdrawDeletionRequest(po, { requestId: r.id, reason: 'test done' });
    });

    it('accepts a fresh sign-in at the identity provider instead of a password, within 5 minutes', async () => {
      const r = await file([take()]);
      const { db } = services.database;
      const [user] = await db.insert(users).values({ email: `oidc.${Date.now()}@test.custos`, name: 'Oidc Approver', role: 'approver', source: 'oidc', oidcIssuer: 'https://idp.test', oidcSubject: String(Date.now()) }).returning();
      const staleSession = await createSession(db, user!.id, new Date(Date.now() - 10 * 60_000));
      const stale = makeCtx(services, userActor(user!, staleSession));
      await expect(approveDeletionRequest(stale, { requestId: r.id, manifestSha256: r.manifestSha256 })).rejects.toMatchObject({ code: 'precondition', message: expect.stringMatching(/fresh sign-in/) });
      const freshSession = await createSession(db, user!.id, new Date());
      const fresh = makeCtx(services, userActor(user!, freshSession));
      expect(await approveDeletionRequest(fresh, { requestId: r.id, manifestSha256: r.manifestSha256 })).toMatchObject({ approvals: 1 });
      const [decision] = await db.select().from(deletionDecisions).where(eq(deletionDecisions.requestId, r.id));
      expect(decision).toMatchObject({ stepUp: 'oidc', manifestSha256: r.manifestSha256 });
      expect((await db.select().from(authSessions).where(eq(authSessions.id, freshSession))).length).toBe(1);
      await withdrawDeletionRequest(po, { requestId: r.id, reason: 'test done' });
    });

    it('refuses an approval bound to another (an old) manifest hash', async () => {
      const r = await file([take()]);
      await expect(approve(a1, r.id, 'f'.repeat(64))).rejects.toMatchObject({ code: 'precondition' });
      await withdrawDeletionRequest(po, { requestId: r.id, reason: 'test done' });
    });

    it('ends the request at the first rejection; no approval after it', async () => {
      const r = await file([take()]);
      await approve(a1, r.id, r.manifestSha256);
      await expect(rejectDeletionRequest(a2, { requestId: r.id, comment: 'no' })).rejects.toMatchObject({ fieldErrors: { comment: expect.any(String) } });
      expect(await rejectDeletionRequest(a2, { requestId: r.id, comment: 'The cohort includes a study under review' })).toMatchObject({ state: 'rejected' });
      await expect(approve(a3, r.id, r.manifestSha256)).rejects.toMatchObject({ code: 'conflict' });
      const studies = await services.database.db.select().from(deletionRequestStudies).where(eq(deletionRequestStudies.requestId, r.id));
      expect(studies.every((s) => !s.open)).toBe(true);
    });

    it('refuses approvals after a withdrawal', async () => {
      const r = await file([take()]);
      await expect(withdrawDeletionRequest(a1, { requestId: r.id, reason: 'not mine' })).rejects.toMatchObject({ code: 'forbidden' });
      await withdrawDeletionRequest(po, { requestId: r.id, reason: 'scope changed' });
      await expect(approve(a1, r.id, r.manifestSha256)).rejects.toMatchObject({ code: 'conflict' });
      await expect(withdrawDeletionRequest(po, { requestId: r.id, reason: 'scope changed' })).rejects.toMatchObject({ code: 'conflict' });
    });

    it('expires the request when the first approval lapsed before the second came', async () => {
      const r = await file([take()]);
      await approve(a1, r.id, r.manifestSha256);
      // someone of their own: the step-up throttle keeps its own clock per person
      const later = at(await person(services, 'approver', 'dee'), new Date(today.getTime() + (services.env.CUSTOS_RETENTION_APPROVAL_DAYS + 1) * 86_400_000));
      await expect(approve(later, r.id, r.manifestSha256)).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/expired/) });
      expect((await stateOf(r.id)).state).toBe('expired');
      await expect(approve(a3, r.id, r.manifestSha256)).rejects.toMatchObject({ code: 'conflict' });
      const entries = await services.database.db.select().from(journal).where(eq(journal.subject, r.id));
      expect(entries.map((e) => e.action)).toContain('retention_request.expire');
    });
  });

  describe('execution refuses to start, deleting nothing', () => {
    const run = async (id: string) => {
      await runQueued(services, DELETION_JOB, id);
      return stateOf(id);
    };

    it('with one approval only', async () => {
      const r = await file([take()]);
      await approve(a1, r.id, r.manifestSha256);
      // as if the state had been forced to approved with one approval
      await services.database.db.update(deletionRequests).set({ state: 'approved' }).where(eq(deletionRequests.id, r.id));
      const prefix = storedManifest((await stateOf(r.id)).manifest).studies[0]!.s3KeyPrefix!;
      const before = await versionsUnder(prefix);
      const { jobs } = await import('@/lib/db/schema');
      const { randomUUID } = await import('node:crypto');
      await services.database.db.insert(jobs).values({ id: randomUUID(), kind: DELETION_JOB, subject: r.id, payload: { requestId: r.id }, state: 'queued', runAfter: new Date(0), createdAt: new Date(), createdBy: 'test' });
      const after = await run(r.id);
      expect(after.state).toBe('halted');
      expect(after.stateReason).toMatch(/2 approvals/);
      expect(await versionsUnder(prefix)).toEqual(before);
    });

    it('while a study is on legal hold (placed after the approvals)', async () => {
      const [first, second] = [take(), take()];
      const r = await file([first, second]);
      await approve(a1, r.id, r.manifestSha256);
      await approve(a2, r.id, r.manifestSha256);
      await placeLegalHold(po, { study: second, reason: 'Subpoena received after approval' });
      const manifest = storedManifest((await stateOf(r.id)).manifest);
      const before = await Promise.all(manifest.studies.map((s) => versionsUnder(s.s3KeyPrefix!)));
      const after = await run(r.id);
      expect(after.state).toBe('halted');
      expect(after.stateReason).toMatch(/legal hold placed in Custos/);
      expect(await Promise.all(manifest.studies.map((s) => versionsUnder(s.s3KeyPrefix!)))).toEqual(before);
      const items = await services.database.db.select().from(deletionItems).where(eq(deletionItems.requestId, r.id));
      expect(items.every((i) => i.state === 'pending')).toBe(true);
      await expect(services.imageSets.get(manifest.studies[0]!.imageSets[0]!)).resolves.toMatchObject({ state: 'ACTIVE' });
    });

    it('after the manifest changed', async () => {
      const r = await file([take()]);
      await approve(a1, r.id, r.manifestSha256);
      await approve(a2, r.id, r.manifestSha256);
      const row = await stateOf(r.id);
      const tampered = storedManifest(row.manifest);
      tampered.studies[0]!.objects.pop();
      expect(manifestSha256(tampered)).not.toBe(r.manifestSha256);
      await services.database.db.update(deletionRequests).set({ manifest: tampered as unknown as Record<string, unknown> }).where(eq(deletionRequests.id, r.id));
      const before = await versionsUnder(tampered.studies[0]!.s3KeyPrefix!);
      const after = await run(r.id);
      expect(after.state).toBe('halted');
      expect(after.stateReason).toMatch(/no longer hashes/);
      expect(await versionsUnder(tampered.studies[0]!.s3KeyPrefix!)).toEqual(before);
    });

    it('after the requester withdrew the approved request', async () => {
      const r = await file([take()]);
      await approve(a1, r.id, r.manifestSha256);
      await approve(a2, r.id, r.manifestSha256);
      await withdrawDeletionRequest(po, { requestId: r.id, reason: 'a late objection' });
      expect((await run(r.id)).state).toBe('withdrawn');
    });
  });

  describe('rule sets', () => {
    it('are versioned: a saved rule set is the next version, in force, and only an administrator saves one', async () => {
      const admin = await signedIn(services, 'admin');
      const definition = JSON.stringify({
        id: 'default',
        name: 'Health system retention mandate',
        jurisdiction: 'Health system (all facilities)',
        rules: [
          { id: 'mammography-10y', when: { modality: ['MG'] }, keep: { yearsAfterStudy: 10 } },
          { id: 'pediatric-21-plus-3', when: { minorAtStudy: true }, keep: { yearsAfterStudy: 7, untilAge: 21, plusYears: 3 } },
          { id: 'adult-8y', when: {}, keep: { yearsAfterStudy: 8 } },
        ],
      });
      await expect(saveRuleSet(po, { definition, inForce: true })).rejects.toMatchObject({ code: 'forbidden' });
      await expect(saveRuleSet(admin, { definition: '{ not json', inForce: true })).rejects.toMatchObject({ fieldErrors: { definition: expect.any(String) } });
      expect(await saveRuleSet(admin, { definition, inForce: true })).toEqual({ ruleSetId: 'default', version: 2, inForce: true });
      // studies are judged by version 2 from now on, and say so
      const study = due[0]!;
      const judged = await explainStudyRetention(po, { study, asOf: '2026-10-31' });
      expect(judged.json.ruleSetVersion).toBe(2);
      expect(judged.rules.map((r) => r.id)).toContain('adult-8y');
      // back to the 7-year rule for whatever follows
      expect(await saveRuleSet(admin, { definition: definition.replace('adult-8y', 'adult-7y').replace('"yearsAfterStudy":8', '"yearsAfterStudy":7'), inForce: true })).toMatchObject({ version: 3 });
    });
  });
});
