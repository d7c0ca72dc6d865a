import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evidence, journal, signerCertificates } from '@/lib/db/schema';
import { exportPatientReport } from '@/lib/evidence/export-patient-report';
import { exportRunReport } from '@/lib/evidence/export-run-report';
import { getEvidenceSigner } from '@/lib/evidence/get-evidence-signer';
import { listEvidence } from '@/lib/evidence/list-evidence';
import { requestEvidenceDownload } from '@/lib/evidence/request-evidence-download';
import { takeEvidenceDownload } from '@/lib/evidence/take-evidence-download';
import { verificationJson, verifyEvidence } from '@/lib/evidence/verify-evidence';
import { compactLake } from '@/lib/lake/compact';
import { generateLake } from '@/lib/lake/generate';
import type { Truth } from '@/lib/lake/generate/truth';
import { DEFAULT_LAYOUT } from '@/lib/lake/layout';
import { runSavedQuery } from '@/lib/queries/run-saved-query';
import { createKmsSigner } from '@/lib/signer/kms';
import { createLocalSigner } from '@/lib/signer/local-p12';
import { signPdf } from '@/lib/signer/sign-pdf';
import { AwsReplay, jsonFixture, kmsOk, type ReplayRequest } from '@/test/support/aws-replay';
import { flipByte, makePdf, nssDatabase, pdfsig, trustCa } from '@/test/signer/pdf-tools';
import { createTestPki, publicKeyDer, signDigest, type TestPki } from '@/test/signer/pki';
import { signedIn } from '../support/actors';
import { testServices, type TestServices } from '../support/services';

// Signed evidence end to end over a generated lake: a report is built whole, signed once, stored
// under Object Lock and registered with its journal entry; pdfsig accepts it, the portal verifies
// it without trusting it, a flipped byte anywhere is caught, and a download gives the same bytes.

const VALID = '- Signature Validation: Signature is Valid.';
const MISMATCH = '- Signature Validation: Digest Mismatch.';
const TOTAL = '- Total document signed';
const TRUSTED = '- Certificate Validation: Certificate is Trusted.';

describe(`signed evidence (${process.env.CUSTOS_TEST_DB})`, () => {
  let root: string;
  let lakeDir: string;
  let services: TestServices;
  let truth: Truth;
  let pki: TestPki;
  let emptyNss: string;
  let caNss: string;
  let n = 0;
  const write = (pdf: Buffer) => {
    const file = path.join(root, `evidence-${++n}.pdf`);
    fs.writeFileSync(file, pdf);
    return file;
  };
  const text = (pdf: Buffer) => execFileSync('pdftotext', ['-layout', write(pdf), '-'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).replace(/\s+/g, ' ');
  const journalOf = async (subject: string) => (await services.database.db.select().from(journal).where(eq(journal.subject, subject)).orderBy(journal.seq)).map((e) => e.action);

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-evidence-db-'));
    lakeDir = path.join(root, 'lake');
    await generateLake({ outDir: lakeDir, layout: DEFAULT_LAYOUT, days: 5, eventsPerDay: 400, seed: 17, end: '2026-10-31' });
    await compactLake({ dir: lakeDir, layout: DEFAULT_LAYOUT }, {});
    truth = JSON.parse(fs.readFileSync(path.join(lakeDir, 'truth.json'), 'utf8')) as Truth;
    services = await testServices({ lakeDir });
    pki = createTestPki(path.join(root, 'pki'));
    emptyNss = nssDatabase(path.join(root, 'nss-empty'));
    caNss = nssDatabase(path.join(root, 'nss-ca'));
    trustCa(caNss, pki.ca.cert);
  });
  afterAll(async () => {
    await services?.dispose();
    fs.rmSync(root, { recursive: true, force: true });
  });

  const patientRuns = async () => {
    const privacy = await signedIn(services, 'privacy_officer');
    const adult = truth.patients.find((p) => p.kind === 'adult')!;
    const access = await runSavedQuery(privacy, { queryId: 'patient-access-history', params: { patient: adult.mrn, ...truth.window } }, { wait: true });
    const studies = await runSavedQuery(privacy, { queryId: 'patient-studies', params: { patient: adult.mrn } }, { wait: true });
    return { privacy, adult, access, studies };
  };

  describe('a query-run report', () => {
    let issued: Awaited<ReturnType<typeof exportRunReport>>;
    let runId: string;
    let owner: Awaited<ReturnType<typeof signedIn>>;
    beforeAll(async () => {
      owner = await signedIn(services, 'security_officer');
      const run = await runSavedQuery(owner, { queryId: 'failed-access', params: truth.window }, { wait: true });
      expect(run.status).toBe('succeeded');
      runId = run.id;
      issued = await exportRunReport(owner, { runId });
    });

    it('is registered with its journal entry, stored under compliance-mode Object Lock, and names its signer', async () => {
      expect(issued.evidenceId).toMatch(/^EV-\d{4}-[0-9A-Z]{8}$/);
      const [row] = await services.database.db.select().from(evidence).where(eq(evidence.evidenceId, issued.evidenceId));
      const identity = await services.signer.identity();
      expect(row).toMatchObject({ kind: 'query-run', subjectRef: runId, sha256: issued.sha256, bytes: issued.pdf.length, signerFingerprint: identity.fingerprint, objectBucket: 'custos-evidence' });
      expect(row!.subject).toEqual({ type: 'run', runId, queryId: 'failed-access', queryTitle: 'Failed access' });
      expect(await journalOf(issued.evidenceId)).toEqual(['evidence.create']);
      const [entry] = await services.database.db.select().from(journal).where(eq(journal.subject, issued.evidenceId));
      expect(entry!.details).toMatchObject({ kind: 'query-run', subject: runId, sha256: issued.sha256, signer: identity.fingerprint });
      expect(row!.journalHeadSeq).toBeLessThan(entry!.seq);
      const info = await services.objects.head({ bucket: row!.objectBucket, key: row!.objectKey, versionId: row!.objectVersionId });
      expect(info.retention?.mode).toBe('COMPLIANCE');
      await expect(services.objects.delete({ bucket: row!.objectBucket, key: row!.objectKey, versionId: row!.objectVersionId })).rejects.toThrow();
      const [cert] = await services.database.db.select().from(signerCertificates).where(eq(signerCertificates.fingerprint, identity.fingerprint));
      expect(cert).toMatchObject({ adapter: 'local', subject: expect.stringContaining('CN=Custos evidence signer') });
    });

    it('is what pdfsig calls valid and wholly signed, self-signed hence not trusted', () => {
      const report = pdfsig(write(issued.pdf), emptyNss);
      expect(report).toContain(VALID);
      expect(report).toContain(TOTAL);
      expect(report).not.toContain(TRUSTED);
    });

    it('prints the run, its hashes, the scope (window, coverage, log integrity) and every row', async () => {
      const [run] = await services.database.db.execute(sql`SELECT sql_sha256, result_sha256, row_count FROM query_runs WHERE id = ${runId}`).then((r) => (r as unknown as { rows: { sql_sha256: string; result_sha256: string; row_count: number }[] }).rows);
      const body = text(issued.pdf);
      for (const fact of [issued.evidenceId, runId, run!.sql_sha256, run!.result_sha256, `${truth.window.from} to ${truth.window.to}`, 'Log integrity', 'What this report does not show or prove']) {
        expect(body).toContain(fact);
      }
      expect(body).toMatch(/CloudTrail log files for this window validate against their signed digests|Not checked:/);
      expect(body).toContain(`${run!.row_count} ${run!.row_count === 1 ? 'row' : 'rows'}, as the run recorded`);
    });

    it('verifies: valid, unmodified, registered, with what it belongs to, and journals the check', async () => {
      const auditor = await signedIn(services, 'approver');
      const check = await verifyEvidence(auditor, issued.pdf);
      expect(verificationJson(check)).toEqual({
        valid: true,
        unmodified: true,
        registered: true,
        evidenceId: issued.evidenceId,
        kind: 'query-run',
        subject: { type: 'run', runId, queryId: 'failed-access', queryTitle: 'Failed access' },
        signer: { fingerprint: (await services.signer.identity()).fingerprint, subject: expect.stringContaining('CN=Custos evidence signer') },
        createdAt: issued.createdAt,
        createdBy: owner.actor.email,
        reason: null,
      });
      expect(check.certificate).toMatchObject({ known: true });
      expect(await journalOf(issued.evidenceId)).toEqual(['evidence.create', 'evidence.verify']);
    });

    it('fails verification for one flipped byte anywhere, and pdfsig reports the mismatch where the signature covers it', async () => {
      const pdf = issued.pdf;
      const text = pdf.toString('latin1');
      const [, b, c] = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)/.exec(text.slice(text.lastIndexOf('/ByteRange')))!.slice(1).map(Number) as [number, number, number, number];
      const reader = await signedIn(services, 'auditor');
      const offsets = { 'the header': 10, 'a page': Math.floor(b / 2), 'the signature': b + 200, 'the placeholder padding': c - 20, 'the trailer': pdf.length - 3 };
      for (const [where, offset] of Object.entries(offsets)) {
        const flipped = flipByte(pdf, offset);
        const check = await verifyEvidence(reader, flipped);
        expect(check.registered, where).toBe(false);
        expect(check.valid && check.unmodified && check.registered, where).toBe(false);
        expect(check.reason, where).toBeTruthy();
        if (offset < b || offset >= c) expect(pdfsig(write(flipped), emptyNss), where).toContain(MISMATCH);
      }
      const appended = Buffer.concat([pdf, Buffer.from('\n% appended after signing\n')]);
      expect(await verifyEvidence(reader, appended)).toMatchObject({ unmodified: false, registered: false });
    });

    it('downloads through a single-use address, journaled, with the registered bytes every time', async () => {
      const first = await requestEvidenceDownload(owner, { evidenceId: issued.evidenceId });
      expect(first.url).toMatch(/^\/evidence\/download\/[A-Za-z0-9_-]{43}$/);
      const token = first.url.split('/').pop()!;
      const file = await takeEvidenceDownload(owner, token);
      expect(file.body.equals(issued.pdf)).toBe(true);
      expect(file.filename).toBe(`${issued.evidenceId}.pdf`);
      await expect(takeEvidenceDownload(owner, token)).rejects.toThrow(/not found/);
      const again = await takeEvidenceDownload(owner, (await requestEvidenceDownload(owner, { evidenceId: issued.evidenceId })).url.split('/').pop()!);
      expect(again.body.equals(file.body)).toBe(true);
      const other = await signedIn(services, 'security_officer');
      await expect(requestEvidenceDownload(other, { evidenceId: issued.evidenceId })).rejects.toThrow(/evidence was not found/);
      const third = await requestEvidenceDownload(owner, { evidenceId: issued.evidenceId });
      await expect(takeEvidenceDownload(other, third.url.split('/').pop()!)).rejects.toThrow(/not found/);
      expect((await journalOf(issued.evidenceId)).filter((a) => a.startsWith('evidence.download'))).toEqual(['evidence.download', 'evidence.downloaded', 'evidence.download', 'evidence.downloaded', 'evidence.download']);
    });

    it('is refused to whoever may not read the run', async () => {
      const approver = await signedIn(services, 'approver');
      await expect(exportRunReport(approver, { runId })).rejects.toThrow(/run was not found/);
      await expect(exportRunReport(owner, { runId: 'not-a-run' })).rejects.toThrow(/run was not found/);
      await expect(exportRunReport(owner, {})).rejects.toThrow(/Run: name a run/);
    });
  });

  describe('a patient access report', () => {
    it('is made from the patient view’s two runs, for people who may read PHI, and verifies', async () => {
      const { privacy, adult, access, studies } = await patientRuns();
      const issued = await exportPatientReport(privacy, { runId: access.id });
      const report = pdfsig(write(issued.pdf), emptyNss);
      expect(report).toContain(VALID);
      expect(report).toContain(TOTAL);
      const body = text(issued.pdf);
      expect(body).toContain(access.parameters.patient!);
      expect(body).toContain('Who accessed the images');
      expect(body).toContain(`${adult.accesses.length === 1 ? '1 access' : `${adult.accesses.length} accesses`} in all.`);
      expect(body).toContain('Reads through a viewer’s service role show that role');
      expect(body).toContain(studies.id);
      expect(body).not.toContain(adult.mrn);
      const [row] = await services.database.db.select().from(evidence).where(eq(evidence.evidenceId, issued.evidenceId));
      expect(row!.subject).toEqual({ type: 'patient', patient: access.parameters.patient, accessRunId: access.id, studiesRunId: studies.id });
      expect(await verifyEvidence(privacy, issued.pdf)).toMatchObject({ valid: true, unmodified: true, registered: true, kind: 'patient-access' });
    });

    it('is refused without patient.read_phi, and from a run of another query', async () => {
      const { access } = await patientRuns();
      const auditor = await signedIn(services, 'auditor');
      await expect(exportPatientReport(auditor, { runId: access.id })).rejects.toThrow(/does not allow/);
      const privacy = await signedIn(services, 'privacy_officer');
      const failed = await runSavedQuery(privacy, { queryId: 'failed-access', params: truth.window }, { wait: true });
      await expect(exportPatientReport(privacy, { runId: failed.id })).rejects.toThrow(/made from a “Patient access history” run/);
    });
  });

  describe('the registry as each person sees it', () => {
    it('lists one’s own evidence, or everyone’s with runs.view_all, with filters, and downloads only with the subject’s permission', async () => {
      const security = await signedIn(services, 'security_officer');
      const run = await runSavedQuery(security, { queryId: 'failed-access', params: truth.window }, { wait: true });
      const mine = await exportRunReport(security, { runId: run.id });
      const { privacy, access } = await patientRuns();
      const patient = await exportPatientReport(privacy, { runId: access.id });

      const own = await listEvidence(security, {});
      expect(own.evidence.map((e) => e.evidenceId)).toEqual([mine.evidenceId]);
      const auditor = await signedIn(services, 'auditor');
      const all = await listEvidence(auditor, { limit: 200 });
      expect(all.evidence.map((e) => e.evidenceId)).toEqual(expect.arrayContaining([mine.evidenceId, patient.evidenceId]));
      expect(all.evidence.find((e) => e.evidenceId === patient.evidenceId)!.canDownload).toBe(false);
      expect(all.evidence.find((e) => e.evidenceId === mine.evidenceId)!.canDownload).toBe(true);
      await expect(requestEvidenceDownload(auditor, { evidenceId: patient.evidenceId })).rejects.toThrow(/does not allow/);

      expect((await listEvidence(auditor, { kind: 'patient-access', limit: 200 })).evidence.every((e) => e.kind === 'patient-access')).toBe(true);
      expect((await listEvidence(auditor, { subject: run.id })).evidence.map((e) => e.evidenceId)).toEqual([mine.evidenceId]);
      expect((await listEvidence(auditor, { subject: access.id })).evidence.map((e) => e.evidenceId)).toEqual([patient.evidenceId]);
      expect((await listEvidence(auditor, { subject: patient.evidenceId })).total).toBe(1);
      expect((await listEvidence(auditor, { mine: '1' })).total).toBe(0);
      await expect(listEvidence(auditor, { kind: 'invoice' })).rejects.toThrow(/Kind: choose one of/);
    });

    it('says "not registered" of a PDF Custos signed but never registered', async () => {
      const reader = await signedIn(services, 'admin');
      const stray = await signPdf(await makePdf(), services.signer, { reason: 'not evidence' });
      const check = await verifyEvidence(reader, stray);
      expect(check).toMatchObject({ valid: true, unmodified: true, registered: false, evidenceId: null, kind: null, subject: null });
      expect(check.reason).toMatch(/not registered/);
      const unsigned = await verifyEvidence(reader, await makePdf());
      expect(unsigned).toMatchObject({ valid: false, registered: false, signer: null });
      expect(unsigned.reason).toMatch(/no digital signature/);
      await expect(verifyEvidence(reader, Buffer.alloc(0))).rejects.toThrow(/File: choose a PDF/);
    });
  });

  describe('signer adapters and rotation', () => {
    it('keeps every signer certificate: PDFs signed before a rotation keep verifying', async () => {
      const original = services.signer;
      const owner = await signedIn(services, 'security_officer');
      const run = await runSavedQuery(owner, { queryId: 'failed-access', params: truth.window }, { wait: true });
      const before = await exportRunReport(owner, { runId: run.id });
      try {
        services.signer = createLocalSigner({ dir: path.join(root, 'rotated-signer'), installation: 'rotated' });
        const after = await exportRunReport(owner, { runId: run.id });
        expect((await services.signer.identity()).fingerprint).not.toBe((await original.identity()).fingerprint);
        for (const pdf of [before.pdf, after.pdf]) {
          expect(await verifyEvidence(owner, pdf)).toMatchObject({ valid: true, unmodified: true, registered: true });
          expect(pdfsig(write(pdf), emptyNss)).toContain(VALID);
        }
        const signer = await getEvidenceSigner(owner);
        expect(signer.current!.fingerprint).toBe((await services.signer.identity()).fingerprint);
        expect(signer.certificates.map((c) => c.fingerprint)).toEqual(expect.arrayContaining([(await original.identity()).fingerprint, signer.current!.fingerprint]));
      } finally {
        services.signer = original;
      }
    });

    it('signs with a site CA’s PKCS #12, which pdfsig trusts once the CA is in its database', async () => {
      const original = services.signer;
      const owner = await signedIn(services, 'security_officer');
      const run = await runSavedQuery(owner, { queryId: 'failed-access', params: truth.window }, { wait: true });
      try {
        services.signer = createLocalSigner({ dir: path.join(root, 'unused'), installation: 'unused', p12: { path: pki.siteSigner.p12, password: pki.siteSigner.password } });
        const issued = await exportRunReport(owner, { runId: run.id });
        const trusted = pdfsig(write(issued.pdf), caNss);
        expect(trusted).toContain(VALID);
        expect(trusted).toContain(TOTAL);
        expect(trusted).toContain(TRUSTED);
        expect(pdfsig(write(issued.pdf), emptyNss)).not.toContain(TRUSTED);
        expect(await verifyEvidence(owner, issued.pdf)).toMatchObject({ valid: true, unmodified: true, registered: true });
      } finally {
        services.signer = original;
      }
    });

    it('signs each kind through an AWS KMS key (recorded responses), valid and trusted', async () => {
      const replay = await AwsReplay.start();
      const original = services.signer;
      try {
        replay.on('kms:GetPublicKey', kmsOk({ ...jsonFixture('kms/get-public-key-rsa.json'), PublicKey: publicKeyDer(pki.kmsRsa.key).toString('base64') }));
        replay.on('kms:Sign', (request: ReplayRequest) =>
          kmsOk({ ...jsonFixture('kms/sign-rsa.json'), Signature: signDigest(pki.kmsRsa.key, Buffer.from(request.json.Message as string, 'base64')).toString('base64') }),
        );
        services.signer = createKmsSigner({ keyId: 'alias/custos-evidence', certificateChainPath: pki.kmsRsa.chain }, { kms: replay.kmsClient() });
        const owner = await signedIn(services, 'security_officer');
        const run = await runSavedQuery(owner, { queryId: 'failed-access', params: truth.window }, { wait: true });
        const { privacy, access } = await patientRuns();
        for (const issued of [await exportRunReport(owner, { runId: run.id }), await exportPatientReport(privacy, { runId: access.id })]) {
          const report = pdfsig(write(issued.pdf), caNss);
          expect(report).toContain(VALID);
          expect(report).toContain(TOTAL);
          expect(report).toContain(TRUSTED);
          expect(await verifyEvidence(owner, issued.pdf)).toMatchObject({ valid: true, unmodified: true, registered: true });
        }
        expect(replay.requests('kms:Sign')).toHaveLength(2);
        const [cert] = await services.database.db.select().from(signerCertificates).where(eq(signerCertificates.adapter, 'kms'));
        expect(cert!.subject).toContain('Evidence signer (KMS RSA)');
      } finally {
        services.signer = original;
        await replay.close();
      }
    });
  });
});
