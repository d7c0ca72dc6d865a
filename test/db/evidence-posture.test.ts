import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobs } from '@/lib/db/schema';
import { exportPostureReport } from '@/lib/evidence/export-posture-report';
import { verifyEvidence } from '@/lib/evidence/verify-evidence';
import { compactLake } from '@/lib/lake/compact';
import { generateLake, type Truth } from '@/lib/lake/generate';
import { DEFAULT_LAYOUT } from '@/lib/lake/layout';
import { getPostureDashboard } from '@/lib/posture/get-posture-dashboard';
import { POSTURE_REFRESH_JOB, refreshPosture } from '@/lib/posture/refresh-posture';
import { nssDatabase, pdfsig } from '@/test/signer/pdf-tools';
import { signedIn } from '../support/actors';
import { testServices, type TestServices } from '../support/services';

// The posture summary PDF is made from the same figures the dashboards show (the window's latest
// finished refresh), signed and registered like every report, and holds no patient identifier.
describe(`the posture summary as signed evidence (${process.env.CUSTOS_TEST_DB})`, () => {
  let root: string;
  let services: TestServices;
  let truth: Truth;

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-evidence-posture-'));
    const lakeDir = path.join(root, 'lake');
    await generateLake({ outDir: lakeDir, layout: DEFAULT_LAYOUT, days: 5, eventsPerDay: 400, seed: 17, end: '2026-10-31' });
    await compactLake({ dir: lakeDir, layout: DEFAULT_LAYOUT }, {});
    truth = JSON.parse(fs.readFileSync(path.join(lakeDir, 'truth.json'), 'utf8')) as Truth;
    services = await testServices({ lakeDir });
  }, 300_000);
  afterAll(async () => {
    await services?.dispose();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('is refused before the window has a finished refresh, and to roles without posture.view', async () => {
    const security = await signedIn(services, 'security_officer');
    await expect(exportPostureReport(security, truth.window)).rejects.toThrow(/No refresh of the posture figures .* has finished/);
    await expect(exportPostureReport(await signedIn(services, 'approver'), truth.window)).rejects.toThrow(/does not allow/);
    await expect(exportPostureReport(security, { from: truth.window.to, to: truth.window.from })).rejects.toThrow(/To: must be on or after From/);
  });

  it('says what the dashboards say, signed, registered and without a patient identifier', async () => {
    const security = await signedIn(services, 'security_officer');
    const requested = await refreshPosture(security, truth.window);
    const [job] = await services.database.db.select().from(jobs).where(and(eq(jobs.subject, requested.refreshId), eq(jobs.kind, POSTURE_REFRESH_JOB)));
    expect((await services.jobs.runNow(job!.id)).state).toBe('succeeded');

    const issued = await exportPostureReport(security, truth.window);
    const file = path.join(root, 'posture.pdf');
    fs.writeFileSync(file, issued.pdf);
    const signature = pdfsig(file, nssDatabase(path.join(root, 'nss')));
    expect(signature).toContain('- Signature Validation: Signature is Valid.');
    expect(signature).toContain('- Total document signed');
    expect(await verifyEvidence(security, issued.pdf)).toMatchObject({
      valid: true,
      unmodified: true,
      registered: true,
      kind: 'posture-summary',
      subject: { type: 'posture', from: truth.window.from, to: truth.window.to },
    });

    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    const { summary } = await getPostureDashboard(security, truth.window);
    for (const h of summary.headlines) expect(text).toContain(h.title);
    for (const f of summary.figures) expect(text).toContain(f.value);
    expect(text).toContain(requested.refreshId);
    for (const p of truth.patients) {
      expect(text).not.toContain(p.mrn);
      expect(text).not.toContain(p.patientIdHash);
    }
  });
});
