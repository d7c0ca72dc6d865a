import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Truth } from '@/lib/lake/generate/truth';
import { launch, signIn } from './browser';

const baseUrl = inject('baseUrl');
const dataDir = inject('dataDir');

async function runQuery(page: Page, title: string, fill: Record<string, string> = {}) {
  await page.goto(`${baseUrl}/audit`);
  await page.getByRole('link', { name: title, exact: true }).click();
  for (const [label, value] of Object.entries(fill)) await page.getByLabel(label, { exact: true }).fill(value);
  await page.getByRole('button', { name: 'Run query' }).click();
  await page.waitForURL(/\/audit\/runs\/[0-9a-f-]{36}/);
}

describe('run governance in the browser', () => {
  let browser: Browser;
  let truth: Truth;
  beforeAll(async () => {
    browser = await launch();
    truth = JSON.parse(fs.readFileSync(path.join(dataDir, 'lake', 'truth.json'), 'utf8')) as Truth;
  });
  afterAll(async () => browser?.close());

  it('security officer runs two posture queries and exports JSON', async () => {
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    await signIn(page, baseUrl, 'security@demo.custos');
    await runQuery(page, 'Failed access', { From: truth.window.from, To: truth.window.to });
    const table = page.getByRole('table', { name: 'Result of Failed access' });
    await table.waitFor({ timeout: 60_000 });
    expect(await table.locator('tbody tr').count()).toBe(Math.min(50, truth.failedAccess.length));

    await runQuery(page, 'KMS Decrypt denied, per hour', { From: truth.window.from, To: truth.window.to });
    await page.getByRole('table', { name: 'Result of KMS Decrypt denied, per hour' }).waitFor({ timeout: 60_000 });
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download JSON' }).click();
    const body = JSON.parse(fs.readFileSync((await (await download).path())!, 'utf8'));
    expect(body.query).toBe('decrypt-denied-timeline');
    expect(body.rows).toHaveLength(truth.decryptDeniedHourly.length);
    expect(body.stats.resultSha256).toMatch(/^[0-9a-f]{64}$/);
    await context.close();
  });

  it('privacy officer cancels a long run and sees it recorded as cancelled', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, baseUrl, 'privacy@demo.custos');
    await runQuery(page, 'Event pairs (load test)', { From: truth.window.from, To: truth.window.to });
    const cancel = page.getByRole('button', { name: 'Cancel run' });
    await cancel.waitFor({ timeout: 30_000 });
    await cancel.click();
    await page.getByText('The run was cancelled').waitFor({ timeout: 60_000 });
    await page.goto(`${baseUrl}/audit/runs?status=cancelled`);
    expect(await page.getByRole('table', { name: 'Query runs, newest first' }).locator('tbody tr').count()).toBeGreaterThanOrEqual(1);
    await context.close();
  });

  it('re-runs a query, compares the two runs and finds the same answer', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, baseUrl, 'privacy@demo.custos');
    await runQuery(page, 'CloudTrail coverage gaps', { From: truth.window.from, To: truth.window.to });
    await page.getByRole('table', { name: 'Result of CloudTrail coverage gaps' }).waitFor({ timeout: 60_000 });
    const firstUrl = page.url();
    await page.getByRole('button', { name: 'Re-run with the same parameters' }).click();
    await page.waitForURL((url) => url.href !== firstUrl && /\/audit\/runs\/[0-9a-f-]{36}$/.test(url.pathname));
    await page.getByRole('table', { name: 'Result of CloudTrail coverage gaps' }).waitFor({ timeout: 60_000 });
    await page.getByRole('link', { name: /^Compare with the run of/ }).first().click();
    await page.getByText('Same answer').waitFor();
    await context.close();
  });

  it('privacy officer opens the patient view: studies, timeline and accesses', async () => {
    const patient = truth.patients.find((p) => p.kind === 'pediatric')!;
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, baseUrl, 'privacy@demo.custos');
    await page.getByRole('link', { name: 'Patients', exact: true }).click();
    await page.getByLabel('Patient MRN').fill(patient.mrn);
    await page.getByLabel('From').fill(truth.window.from);
    await page.getByLabel('To').fill(truth.window.to);
    await page.getByRole('button', { name: 'Open patient view' }).click();
    await page.waitForURL(/\/patients\/report\?/);
    expect(page.url()).not.toContain(patient.mrn);
    expect(await page.getByRole('table', { name: "The patient's studies" }).locator('tbody tr').count()).toBe(patient.studies.length);
    expect(await page.getByRole('table', { name: "Accesses to the patient's images" }).locator('tbody tr').count()).toBe(patient.accesses.length);
    await page.locator('figure[aria-label="Accesses to the patient\'s images per day"] svg').first().waitFor();
    await context.close();
  });

  it('auditor verifies the journal from the Admin page', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, baseUrl, 'auditor@demo.custos');
    await page.getByRole('link', { name: 'Admin', exact: true }).click();
    await page.getByRole('button', { name: 'Verify the journal' }).click();
    await page.getByText('The journal is intact').waitFor();
    await page.reload();
    const newest = page.getByRole('table', { name: 'Journal entries, newest first' }).locator('tbody tr').first();
    expect(await newest.innerText()).toContain('journal.verify');
    await context.close();
  });
});
