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

// Signed evidence in the browser: a report made from a run, downloaded, and uploaded to the
// verification page as it was (verified) and with one byte changed (not verified); pdfsig agrees.
const baseUrl = inject('baseUrl');
const dataDir = inject('dataDir');
const ROOT = path.resolve(__dirname, '../..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-evidence-e2e-'));

const form = (values: Record<string, string>) => {
  const data = new FormData();
  for (const [k, v] of Object.entries(values)) data.set(k, v);
  return data;
};

function pdfsig(file: string): string {
  const nss = path.join(tmp, 'nss');
  if (!fs.existsSync(nss)) {
    fs.mkdirSync(nss);
    spawnSync('certutil', ['-N', '-d', `sql:${nss}`, '--empty-password']);
  }
  return spawnSync('pdfsig', ['-nssdir', `sql:${nss}`, file], { encoding: 'utf8' }).stdout;
}

async function verifyInPage(page: Page, file: string): Promise<string> {
  await page.getByLabel('PDF to verify').setInputFiles(file);
  await page.getByRole('button', { name: 'Verify', exact: true }).click();
  const result = page.getByRole('region', { name: 'Verification result' });
  await result.waitFor({ timeout: 60_000 });
  return result.innerText();
}

describe('signed evidence, made and verified in the browser', () => {
  let browser: Browser;
  let truth: Truth;
  let runId: string;
  beforeAll(async () => {
    browser = await launch();
    truth = JSON.parse(fs.readFileSync(path.join(dataDir, 'lake', 'truth.json'), 'utf8')) as Truth;
    const security = await HttpSession.signIn(baseUrl, 'security@demo.custos');
    const reply = await security.action(ROOT, '(portal)/audit/[queryId]/actions.ts#runQueryAction', '/audit/failed-access', ['failed-access', null, form(truth.window)]);
    runId = reply.redirect!.split('/').pop()!;
    for (let i = 0; i < 240; i++) {
      const status = ((await (await security.get(`/api/runs/${runId}/status`)).json()) as { status: string }).status;
      if (status !== 'running') break;
      await new Promise((r) => setTimeout(r, 250));
    }
  });
  afterAll(async () => {
    await browser?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('makes a signed report, downloads it, and verifies the genuine file and a tampered copy', async () => {
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    await signIn(page, baseUrl, 'security@demo.custos');
    await page.goto(`${baseUrl}/evidence?run=${runId}`);
    const fingerprint = (await page.getByTestId('signer-fingerprint').innerText()).trim();
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);

    await page.getByRole('button', { name: 'Make signed PDF' }).click();
    const made = page.getByText(/^Evidence EV-\d{4}-[0-9A-Z]{8} made and registered$/);
    await made.waitFor({ timeout: 120_000 });
    const evidenceId = /EV-\d{4}-[0-9A-Z]{8}/.exec(await made.innerText())![0];
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: `Download ${evidenceId}` }).first().click();
    const saved = (await (await download).path())!;
    const genuine = path.join(tmp, `${evidenceId}.pdf`);
    fs.copyFileSync(saved, genuine);
    const pdf = fs.readFileSync(genuine);
    expect(readPdfSignature(pdf).signerFingerprint).toBe(fingerprint);
    expect(pdfsig(genuine)).toContain('- Signature Validation: Signature is Valid.');
    expect(pdfsig(genuine)).toContain('- Total document signed');

    const ok = await verifyInPage(page, genuine);
    expect(ok).toContain(`Verified: evidence ${evidenceId}, as Custos issued it`);
    expect(ok).toMatch(/Belongs to\s+Failed access, run /);
    expect(ok).toContain(fingerprint);

    const tampered = path.join(tmp, 'tampered.pdf');
    const copy = Buffer.from(pdf);
    copy[Math.floor(copy.length / 4)]! ^= 0x01;
    fs.writeFileSync(tampered, copy);
    const bad = await verifyInPage(page, tampered);
    expect(bad).toContain('Not verified');
    expect(bad).toMatch(/Modified after signing\s+Yes/);
    expect(bad).toMatch(/Registered\s+No/);
    expect(pdfsig(tampered)).toContain('- Signature Validation: Digest Mismatch.');

    // the list shows it, and a second download gives the same bytes
    await page.goto(`${baseUrl}/evidence?subject=${evidenceId}`);
    const row = page.getByRole('row').filter({ hasText: evidenceId });
    await row.waitFor();
    const again = page.waitForEvent('download');
    await row.getByRole('button', { name: `Download ${evidenceId}` }).click();
    expect(fs.readFileSync((await (await again).path())!).equals(pdf)).toBe(true);
    await context.close();
  });

  it('lets every role verify an upload, nobody without a session, and no other site', async () => {
    const files = fs.readdirSync(tmp).filter((f) => f.startsWith('EV-'));
    expect(files).toHaveLength(1);
    const pdf = fs.readFileSync(path.join(tmp, files[0]!));
    const upload = (session: HttpSession | null, headers: Record<string, string> = {}) => {
      const body = new FormData();
      body.set('file', new Blob([new Uint8Array(pdf)], { type: 'application/pdf' }), 'report.pdf');
      return fetch(`${baseUrl}/evidence/verify`, { method: 'POST', body, headers: { ...(session ? { cookie: session.cookieHeader() } : {}), origin: baseUrl, ...headers } });
    };
    for (const who of ['privacy', 'security', 'approver1', 'auditor', 'admin']) {
      const response = await upload(await HttpSession.signIn(baseUrl, `${who}@demo.custos`));
      expect(response.status, who).toBe(200);
      expect(await response.json(), who).toMatchObject({ valid: true, unmodified: true, registered: true, kind: 'query-run' });
    }
    expect((await upload(null)).status).toBe(401);
    const auditor = await HttpSession.signIn(baseUrl, 'auditor@demo.custos');
    expect((await upload(auditor, { origin: 'https://attacker.example' })).status).toBe(403);
  });
});
