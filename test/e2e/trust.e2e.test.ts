import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { addDays } from '@/lib/days';
import type { Truth } from '@/lib/lake/generate/truth';
import { launch, signIn } from './browser';
import { HttpSession } from './support/http-session';

// Answers a privacy officer can trust, in the browser: a window without logs warns instead of
// showing a clean zero (and the run record keeps that), an unknown MRN says so, and the
// after-hours summary is exactly the planted after-hours accesses by person and day.
const baseUrl = inject('baseUrl');
const dataDir = inject('dataDir');
const SHOTS = path.resolve(__dirname, '../../test-results/screenshots');


async function shot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

describe('answers a privacy officer can trust', () => {
  let browser: Browser;
  let truth: Truth;
  beforeAll(async () => {
    browser = await launch();
    truth = JSON.parse(fs.readFileSync(path.join(dataDir, 'lake', 'truth.json'), 'utf8')) as Truth;
  });
  afterAll(async () => browser?.close());

  it('warns that no logs cover a window past the lake’s end instead of answering 0, and keeps that in the run record', async () => {
    const patient = truth.patients.find((p) => p.kind === 'adult')!;
    const from = addDays(truth.window.to, 3);
    const to = addDays(truth.window.to, 32);
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, baseUrl, 'privacy@demo.custos');
    await page.goto(`${baseUrl}/audit/patient-access-history`);
    await page.getByLabel('Patient MRN').fill(patient.mrn);
    await page.getByLabel('From').fill(from);
    await page.getByLabel('To').fill(to);
    await page.getByRole('button', { name: 'Run query' }).click();
    await page.waitForURL(/\/audit\/runs\/[0-9a-f-]{36}/);
    const warning = page.getByText('Logs are missing for this window');
    await warning.waitFor({ timeout: 120_000 });
    const main = () => page.locator('main').innerText();
    expect(await main()).toContain(`No CloudTrail logs cover ${from} … ${to}; the lake ends ${truth.window.to}.`);
    expect(await main()).toContain('An empty or short result over these days proves nothing about them.');
    await shot(page, 'run-page-no-logs');

    // what the page says comes from the ledger: a fresh load of the run says the same
    const runId = page.url().split('/').pop()!;
    await page.goto(`${baseUrl}/audit/runs/${runId}`);
    expect(await main()).toContain(`No CloudTrail logs cover ${from} … ${to}`);
    await context.close();
  });

  it('says an MRN matches no study in the catalog, distinctly from studies without access', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, baseUrl, 'privacy@demo.custos');
    await page.goto(`${baseUrl}/patients`);
    await page.getByLabel('Patient MRN').fill('MRN-NOBODY-0000');
    await page.getByLabel('From').fill(truth.window.from);
    await page.getByLabel('To').fill(truth.window.to);
    await page.getByRole('button', { name: 'Open patient view' }).click();
    await page.getByText('No study in the catalog for this MRN').waitFor({ timeout: 120_000 });
    await shot(page, 'patient-view-unknown-mrn');

    // a planted patient whose studies nobody opened: found, and no access
    const nobody = truth.patients.find((p) => p.kind === 'no-access')!;
    await page.goto(`${baseUrl}/patients`);
    await page.getByLabel('Patient MRN').fill(nobody.mrn);
    await page.getByLabel('From').fill(truth.window.from);
    await page.getByLabel('To').fill(truth.window.to);
    await page.getByRole('button', { name: 'Open patient view' }).click();
    await page.waitForURL(/\/patients\/report\?/, { timeout: 120_000 });
    await expect.poll(() => page.locator('main').innerText(), { timeout: 60_000 }).toContain(nobody.studies[0]!.studyInstanceUid);
    expect(await page.getByText('No study in the catalog for this MRN').count()).toBe(0);

    // and a patient with accesses: the view a privacy officer hands on
    const adult = truth.patients.find((p) => p.kind === 'adult')!;
    await page.goto(`${baseUrl}/patients`);
    await page.getByLabel('Patient MRN').fill(adult.mrn);
    await page.getByLabel('From').fill(truth.window.from);
    await page.getByLabel('To').fill(truth.window.to);
    await page.getByRole('button', { name: 'Open patient view' }).click();
    await page.waitForURL(/\/patients\/report\?/, { timeout: 120_000 });
    await page.getByText('The logs have gaps in this window').waitFor({ timeout: 60_000 });
    await shot(page, 'patient-view');
    await context.close();
  });

  it('shows the after-hours summary, exactly the planted after-hours accesses by person and UTC day', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    await signIn(page, baseUrl, 'privacy@demo.custos');
    await page.goto(`${baseUrl}/audit/after-hours-summary`);
    await page.getByLabel('From').fill(truth.window.from);
    await page.getByLabel('To').fill(truth.window.to);
    await page.getByRole('button', { name: 'Run query' }).click();
    await page.waitForURL(/\/audit\/runs\/[0-9a-f-]{36}/);
    const table = page.getByRole('table', { name: 'Result of After-hours access by person and day' });
    await table.waitFor({ timeout: 120_000 });
    expect(await table.locator('thead').innerText()).toMatch(/Person[\s\S]*Day \(UTC\)[\s\S]*After-hours requests[\s\S]*Studies[\s\S]*Patients/);
    await shot(page, 'after-hours-summary');

    // every row, through the run's CSV
    const runId = page.url().split('/').pop()!;
    await context.close();
    const po = await HttpSession.signIn(baseUrl, 'privacy@demo.custos');
    const handed = await po.action(path.resolve(__dirname, '../..'), '(portal)/audit/runs/[runId]/actions.ts#exportRunAction', '/audit/runs', [runId, 'csv']);
    const [header, ...lines] = (await (await po.get(String(handed.data))).text()).trim().split(/\r\n/);
    expect(header).toBe('person,day,after_hours_requests,studies,patients');
    const got = lines
      .map((l) => l.split(','))
      .map(([person, day, requests, studies, patients]) => ({ person: person!, day: day!, requests: Number(requests), studies: Number(studies), patients: Number(patients) }))
      .sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : a.person < b.person ? -1 : 1));
    expect(got).toEqual(truth.afterHours.byPersonDay);
  });
});
