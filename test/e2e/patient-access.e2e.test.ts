import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Truth } from '@/lib/lake/generate/truth';
import { launch, signIn } from './browser';

const baseUrl = inject('baseUrl');
const dataDir = inject('dataDir');

describe('privacy officer answers "who accessed this patient\'s images"', () => {
  let browser: Browser;
  let truth: Truth;
  beforeAll(async () => {
    browser = await launch();
    truth = JSON.parse(fs.readFileSync(path.join(dataDir, 'lake', 'truth.json'), 'utf8')) as Truth;
  });
  afterAll(async () => browser?.close());

  it('signs in, runs patient-access-history, sees the rows and downloads the CSV', async () => {
    const patient = truth.patients.find((p) => p.kind === 'adult')!;
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    await signIn(page, baseUrl, 'privacy@demo.custos');
    await page.getByRole('link', { name: 'Audit', exact: true }).click();
    await page.getByRole('link', { name: 'Patient access history' }).click();
    await page.getByLabel('Patient MRN').fill(patient.mrn);
    await page.getByLabel('From').fill(truth.window.from);
    await page.getByLabel('To').fill(truth.window.to);
    await page.getByRole('button', { name: 'Run query' }).click();
    await page.waitForURL(/\/audit\/runs\/[0-9a-f-]{36}/);
    const table = page.getByRole('table', { name: 'Result of Patient access history' });
    await table.waitFor({ timeout: 60_000 });
    const rows = table.locator('tbody tr');
    expect(await rows.count()).toBe(Math.min(50, patient.accesses.length));
    const first = [...patient.accesses].sort((a, b) => a.time.localeCompare(b.time))[0]!;
    await expect.poll(() => rows.first().innerText()).toContain(first.principal);
    // the planted CloudTrail delivery gap is named beside the answer, not left for the reader to guess
    const gap = truth.coverageGaps[0]!;
    const gapNotice = page.getByText('The logs have gaps in this window');
    await gapNotice.waitFor();
    expect(await page.locator('main').innerText()).toMatch(new RegExp(`${gap.from.slice(0, 10)} \\d\\d:\\d\\d – \\d\\d:\\d\\d UTC`));
    // the demo lake is indexed up to its last complete day: the rest of the window is read raw, and the run says so
    expect(await page.getByTestId('read-split').innerText()).toMatch(
      new RegExp(`^access index for ${truth.window.from} to \\d{4}-\\d{2}-\\d{2}; raw logs for .*${truth.window.to}$`),
    );
    await page.screenshot({ path: 'test-results/screenshots/run-page-coverage-gap.png', fullPage: true });

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download CSV' }).click();
    const file = await (await download).path();
    const lines = fs.readFileSync(file!, 'utf8').trim().split(/\r\n/);
    expect(lines[0]).toMatch(/^event_time,principal,federated_user,role,action,source,study_instance_uid/);
    expect(lines).toHaveLength(patient.accesses.length + 1);
    expect(lines.join('\n')).not.toContain(patient.mrn);
    await context.close();
  });

  it('names the field when the parameters are wrong, and runs nothing', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, baseUrl, 'privacy@demo.custos');
    await page.goto(`${baseUrl}/audit/patient-access-history`);
    await page.getByLabel('Patient MRN').fill("' OR 1=1 --");
    await page.getByLabel('From').fill(truth.window.to);
    await page.getByLabel('To').fill(truth.window.from);
    await page.getByRole('button', { name: 'Run query' }).click();
    await expect.poll(() => page.getByRole('alert').first().innerText()).toContain('Patient MRN');
    expect(await page.getByText(/To: must be on or after From/).count()).toBeGreaterThan(0);
    expect(page.url()).toContain('/audit/patient-access-history');
    // what was typed is still there, and the field with the problem says so beside its value
    expect(await page.getByLabel('Patient MRN').inputValue()).toBe("' OR 1=1 --");
    expect(await page.getByLabel('From').inputValue()).toBe(truth.window.to);
    expect(await page.getByLabel('To').inputValue()).toBe(truth.window.from);
    expect(await page.getByLabel('To').getAttribute('aria-invalid')).toBe('true');
    await context.close();
  });

  it('refuses the security officer the same page with 403', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, baseUrl, 'security@demo.custos');
    const response = await page.goto(`${baseUrl}/audit/patient-access-history`);
    expect(response?.status()).toBe(403);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toContain('Your role does not give access');
    expect(await page.getByRole('link', { name: 'Patients' }).count()).toBe(0);
    await context.close();
  });

  it('sends a visitor without a session to the sign-in page', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${baseUrl}/audit/patient-access-history`);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await context.close();
  });
});
