import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Truth } from '@/lib/lake/generate/truth';
import { readPdfSignature } from '@/lib/signer/sign-pdf';
import { launch, signIn } from './browser';
import { HttpSession } from './support/http-session';

// End-of-retention deletion in the browser with the demo accounts: the privacy officer files a
// request for one candidate and cannot approve it; approver1 and approver2 each re-enter their
// password and approve; the portal's own worker executes it and signs the certificate; the study
// is a candidate no more, and its access history is still answerable by patient.
const baseUrl = inject('baseUrl');
const dataDir = inject('dataDir');
const ROOT = path.resolve(__dirname, '../..');
const SHOTS = path.join(ROOT, 'test-results', 'screenshots');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-retention-e2e-'));

const form = (values: Record<string, string>) => {
  const data = new FormData();
  for (const [k, v] of Object.entries(values)) data.set(k, v);
  return data;
};

async function shot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `retention-${name}.png`), fullPage: true });
}

describe('end-of-retention deletion, from candidate to certificate, in the browser', () => {
  let browser: Browser;
  let truth: Truth;
  let study: string;
  let requestId = '';
  let manifestSha256 = '';
  beforeAll(async () => {
    browser = await launch();
    truth = JSON.parse(fs.readFileSync(path.join(dataDir, 'lake', 'truth.json'), 'utf8')) as Truth;
    // the planted adult's oldest study: past retention, not held, and accessed in the window
    study = truth.patients.find((p) => p.kind === 'adult')!.studies[0]!.studyInstanceUid;
    expect(truth.retentionDue).toContain(study);
  });
  afterAll(async () => browser?.close());

  it('lets the privacy officer file a request for a candidate, with its explanation, and not approve it', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, baseUrl, 'privacy@demo.custos');
    await page.goto(`${baseUrl}/retention`);
    const candidates = page.getByRole('table', { name: 'Studies past retention and not held' });
    await candidates.waitFor({ timeout: 120_000 });
    const row = candidates.locator(`tr[data-study="${study}"]`);
    expect(await row.innerText()).toMatch(/Rule adult-7y of default v1 \(an adult at the study\): study \d{4}-\d{2}-\d{2}, kept through \d{4}-\d{2}-\d{2}, deletable from \d{4}-\d{2}-\d{2}\./);
    await shot(page, 'candidates');

    // the explanation the page gives is the rule engine's, with its arithmetic
    await row.getByRole('link', { name: 'Explain the arithmetic' }).click();
    const explanation = page.getByTestId('retention-explanation');
    await explanation.waitFor();
    expect(await explanation.innerText()).toMatch(/Rule adult-7y \(every study\) applies: .*7 years/);
    expect(await explanation.innerText()).toContain('deletable');

    await page.goto(`${baseUrl}/retention`);
    await page.getByRole('checkbox', { name: `Select study ${study}` }).check();
    await page.getByLabel('Reason', { exact: true }).fill('End-of-retention review 2026, browser test cohort');
    await page.getByRole('button', { name: 'File deletion request' }).click();
    await page.waitForURL(/\/retention\/requests\/[0-9a-f-]{36}$/, { timeout: 120_000 });
    requestId = page.url().split('/').pop()!;
    manifestSha256 = (await page.getByTestId('manifest-sha256').innerText()).trim();
    expect(manifestSha256).toMatch(/^[0-9a-f]{64}$/);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toBe(`Deletion request ${requestId.slice(0, 8)}`);
    expect(await page.getByText('Awaiting approval').count()).toBeGreaterThan(0);
    expect(await page.getByRole('table', { name: 'Studies in the manifest' }).innerText()).toContain(study);
    // the requester is told approving is for others, and offered no approve form
    expect(await page.getByText('You filed this request').count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Approve deletion' }).count()).toBe(0);
    await shot(page, 'request-filed');
    await context.close();

    // and the verb refuses it even when asked directly
    const po = await HttpSession.signIn(baseUrl, 'privacy@demo.custos');
    const refused = await po.action(ROOT, '(portal)/retention/requests/[requestId]/actions.ts#approveDeletionAction', `/retention/requests/${requestId}`, [
      requestId,
      null,
      form({ manifestSha256, password: 'custos-demo' }),
    ]);
    expect(refused.ok).toBe(false);
    // a privacy officer is no approver; were they one, filing it would still bar them (test/db/retention-requests.test.ts)
    expect(refused.message).toMatch(/does not allow/);
  });

  it('takes two approvers, each re-entering the password, bound to the manifest hash', async () => {
    expect(requestId).not.toBe('');
    const patient = truth.patients.find((p) => p.kind === 'adult')!;
    for (const [n, who] of [
      [1, 'approver1'],
      [2, 'approver2'],
    ] as const) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await signIn(page, baseUrl, `${who}@demo.custos`);
      await page.goto(`${baseUrl}/retention`);
      const mine = page.getByRole('region', { name: 'Awaiting my approval' });
      await mine.getByRole('link', { name: `Open request ${requestId}` }).click();
      await page.waitForURL(`**/retention/requests/${requestId}`);
      // the manifest names the study, never the patient
      const text = await page.locator('main').innerText();
      expect(text).toContain(study);
      expect(text).not.toContain(patient.mrn);
      expect(text).not.toContain(patient.patientIdHash);
      expect(await page.getByTestId('manifest-sha256').innerText()).toBe(manifestSha256);
      if (n === 1) {
        await page.getByLabel('Your password').fill('not-the-password');
        await page.getByRole('button', { name: 'Approve deletion' }).click();
        await expect.poll(() => page.getByRole('alert').allInnerTexts(), { timeout: 30_000 }).toContainEqual(expect.stringContaining('not your password'));
        await shot(page, 'approve-wrong-password');
      }
      await page.getByLabel('Your password').fill('custos-demo');
      await shot(page, `approve-${who}`);
      await page.getByRole('button', { name: 'Approve deletion' }).click();
      const decisions = page.getByRole('table', { name: 'Decisions on this request' });
      await expect.poll(() => decisions.locator('tbody tr').count(), { timeout: 30_000 }).toBe(n);
      expect(await decisions.innerText()).toContain(`${who}@demo.custos`);
      expect(await decisions.innerText()).toContain('password re-entered');
      expect(await page.getByRole('button', { name: 'Approve deletion' }).count()).toBe(0);
      await context.close();
    }
  });

  it('executes, verifies and signs the certificate; the study is a candidate no more, its access history stays', async () => {
    expect(requestId).not.toBe('');
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    await signIn(page, baseUrl, 'privacy@demo.custos');
    await page.goto(`${baseUrl}/retention/requests/${requestId}`);
    // the page follows the execution by itself
    await page.getByText('Disposed and verified').first().waitFor({ timeout: 180_000 });
    const certificate = page.getByTestId('disposition-certificate');
    await certificate.waitFor({ timeout: 180_000 });
    const evidenceId = /EV-\d{4}-[0-9A-Z]{8}/.exec(await certificate.innerText())![0];
    expect(await page.getByTestId('execution-items').innerText()).toMatch(/^(\d+) of \1 done .* 0 left, 0 failed$/);
    expect(await page.locator('main').innerText()).toContain('nothing of the manifest remains');
    await shot(page, 'request-completed');

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: `Download ${evidenceId}` }).click();
    const pdf = fs.readFileSync((await (await download).path())!);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(readPdfSignature(pdf).signerFingerprint).toMatch(/^[0-9a-f]{64}$/);
    // pdfsig finds it valid and wholly signed; the portal's verification finds it registered, as issued
    const file = path.join(tmp, `${evidenceId}.pdf`);
    fs.writeFileSync(file, pdf);
    const nss = path.join(tmp, 'nss');
    fs.mkdirSync(nss, { recursive: true });
    spawnSync('certutil', ['-N', '-d', `sql:${nss}`, '--empty-password']);
    const sig = spawnSync('pdfsig', ['-nssdir', `sql:${nss}`, file], { encoding: 'utf8' }).stdout;
    expect(sig).toContain('- Signature Validation: Signature is Valid.');
    expect(sig).toContain('- Total document signed');

    // listed as evidence too, and verified there
    await page.goto(`${baseUrl}/evidence?subject=${evidenceId}`);
    expect(await page.getByRole('row').filter({ hasText: evidenceId }).innerText()).toContain('Proof of disposition');
    await page.getByLabel('PDF to verify').setInputFiles(file);
    await page.getByRole('button', { name: 'Verify', exact: true }).click();
    const verified = page.getByRole('region', { name: 'Verification result' });
    await verified.waitFor({ timeout: 60_000 });
    expect(await verified.innerText()).toContain(`Verified: evidence ${evidenceId}, as Custos issued it`);

    await page.goto(`${baseUrl}/retention`);
    await page.getByRole('table', { name: 'Studies past retention and not held' }).waitFor({ timeout: 120_000 });
    expect(await page.locator(`tr[data-study="${study}"]`).count()).toBe(0);
    expect(await page.getByRole('table', { name: 'Deletion requests: executed' }).innerText()).toContain(requestId.slice(0, 8));
    await shot(page, 'after-disposal');
    await page.goto(`${baseUrl}/retention?explain=${study}`);
    expect(await page.getByTestId('retention-explanation').innerText()).toMatch(/already disposed on \d{4}-\d{2}-\d{2}/);
    await context.close();

    // the disposed study's access history is still answerable by patient
    const patient = truth.patients.find((p) => p.kind === 'adult')!;
    const po = await HttpSession.signIn(baseUrl, 'privacy@demo.custos');
    const run = await po.action(ROOT, '(portal)/audit/[queryId]/actions.ts#runQueryAction', '/audit/patient-access-history', [
      'patient-access-history',
      null,
      form({ patient: patient.mrn, ...truth.window }),
    ]);
    const runId = run.redirect!.split('/').pop()!;
    for (let i = 0; i < 240; i++) {
      const status = ((await (await po.get(`/api/runs/${runId}/status`)).json()) as { status: string }).status;
      if (status !== 'running') break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const handed = await po.action(ROOT, '(portal)/audit/runs/[runId]/actions.ts#exportRunAction', '/audit/runs', [runId, 'csv']);
    const csv = await (await po.get(String(handed.data))).text();
    expect(csv.trim().split(/\r\n/)).toHaveLength(patient.accesses.length + 1);
    expect(patient.accesses.some((a) => a.studyInstanceUid === study)).toBe(true);
    expect(csv).toContain(study);
  });
});
