import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { formatNumber, shortArn } from '@/lib/format';
import type { Truth } from '@/lib/lake/generate/truth';
import { STORAGE_CLASS_LABELS, STORAGE_CLASS_ORDER } from '@/lib/posture/prices';
import { launch, signIn } from './browser';

// The posture dashboards as a security officer sees them over the demo lake: the planted Decrypt
// burst found at its time and nothing else flagged, the storage tiers in lifecycle order, the access
// overview and trail health, no patient identifier anywhere in the page; screenshots for a person.
const baseUrl = inject('baseUrl');
const dataDir = inject('dataDir');
const SCREENSHOTS = path.resolve(__dirname, '../../test-results/screenshots');

/**
 * Opens a window of the dashboards, refreshing it first when nothing is recorded for it yet. While
 * the refresh runs the page is reloaded now and then: polling its progress does not keep the
 * session alive, and the e2e portal's sessions expire after a minute idle.
 */
async function openDashboards(page: Page, query = ''): Promise<void> {
  await page.goto(`${baseUrl}/posture${query}`);
  const kms = page.getByRole('region', { name: 'KMS Decrypt denied' });
  const refresh = page.getByRole('button', { name: 'Refresh the dashboards' });
  if ((await kms.count()) === 0 && (await refresh.count()) > 0 && (await refresh.isEnabled())) {
    await refresh.click();
    await page.getByText(/of \d+ figures recorded/).or(kms).first().waitFor({ timeout: 30_000 });
  }
  const deadline = Date.now() + 150_000;
  while ((await kms.count()) === 0) {
    if (Date.now() > deadline) throw new Error(`the dashboards of /posture${query} were not refreshed in time`);
    await kms.waitFor({ timeout: 15_000 }).catch(() => page.reload());
  }
}

/** The first cell of every body row of a table. */
async function firstColumn(page: Page, table: string): Promise<string[]> {
  return page.getByRole('table', { name: table, exact: true }).locator('tbody tr td:first-child').allInnerTexts();
}

/** Every identifier of the planted patients: MRNs, catalog hashes, study UIDs, accession numbers and image sets. */
function patientIdentifiers(truth: Truth): string[] {
  const ids = new Set<string>();
  for (const p of truth.patients) {
    ids.add(p.mrn);
    ids.add(p.patientIdHash);
    for (const s of p.studies) for (const v of [s.studyInstanceUid, s.accessionNumber, s.imageSetId]) ids.add(v);
  }
  for (const v of truth.vipAccesses) for (const id of [v.patientIdHash, v.studyInstanceUid]) ids.add(id);
  for (const id of [...truth.retentionDue, ...truth.investigatedUser.studies, ...truth.investigatedUser.patientIdHashes]) ids.add(id);
  return [...ids].filter((id) => id.length >= 8);
}

describe('security officer reads the posture dashboards', () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let truth: Truth;
  beforeAll(async () => {
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    truth = JSON.parse(fs.readFileSync(path.join(dataDir, 'lake', 'truth.json'), 'utf8')) as Truth;
    browser = await launch();
    context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
    page = await context.newPage();
    await signIn(page, baseUrl, 'security@demo.custos');
    await openDashboards(page);
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
  });

  it('shows the demo lake’s last 30 days with a status per panel at the top', async () => {
    expect(await page.getByRole('link', { name: '30 days', exact: true }).getAttribute('aria-current')).toBe('page');
    expect(await page.evaluate(() => document.body.innerText)).toContain(`Showing ${truth.window.from} to ${truth.window.to} (30 days, UTC)`);
    const cards = page.locator('[data-panel]');
    expect(await cards.count()).toBe(4);
    const kms = await page.locator('[data-panel="decrypt"]').innerText();
    expect(kms).toContain('Needs attention');
    expect(kms).toContain(`(${truth.decryptDenied.count} refusals)`);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'posture-dashboard.png'), fullPage: true });
    await page.getByRole('region', { name: 'Summary' }).screenshot({ path: path.join(SCREENSHOTS, 'posture-summary.png') });
  });

  it('lists the planted Decrypt spike at its time, 68 denials, and flags no other day', async () => {
    expect(truth.decryptDenied.count).toBe(68);
    const section = page.getByRole('region', { name: 'KMS Decrypt denied' });
    const rows = section.getByRole('table', { name: 'Decrypt-denied spikes', exact: true }).locator('tbody tr');
    expect(await rows.count()).toBe(1);
    const cells = await rows.first().locator('td').allInnerTexts();
    expect(cells[0]).toMatch(/^2026-10-19 15:5\d:\d\d$/);
    expect(cells[0]).toBe(truth.decryptDenied.from.replace('T', ' ').replace('Z', ''));
    expect(cells[1]).toBe(truth.decryptDenied.to.replace('T', ' ').replace('Z', ''));
    expect(cells[2]).toBe('68');
    expect(cells[4]).toContain(shortArn(truth.decryptDenied.keyArn));
    expect(await section.innerText()).toContain('How spikes are found');

    await section.getByRole('group', { name: 'Refused Decrypt calls per day: view' }).getByRole('button', { name: 'Table' }).click();
    const daily = section.getByRole('table', { name: 'Refused Decrypt calls per day', exact: true });
    const days = await daily.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    expect(days).toHaveLength(30);
    expect(days.filter((d) => d[2] === 'spike').map((d) => d[0])).toEqual(['2026-10-19']);
    await section.getByRole('group', { name: 'Refused Decrypt calls per day: view' }).getByRole('button', { name: 'Chart' }).click();
    await section.screenshot({ path: path.join(SCREENSHOTS, 'posture-kms.png') });
  });

  it('shows the storage tiers in lifecycle order with the objects truth.json planted', async () => {
    const planted = truth.storage as Record<string, { objects: number; bytes: number } | undefined>;
    const classes = STORAGE_CLASS_ORDER.filter((c) => (planted[c]?.objects ?? 0) > 0);
    const table = 'Objects, bytes and estimated monthly cost by storage class';
    expect(await firstColumn(page, table)).toEqual(classes.map((c) => STORAGE_CLASS_LABELS[c]));
    const objects = await page.getByRole('table', { name: table, exact: true }).locator('tbody tr td:nth-child(2)').allInnerTexts();
    expect(objects).toEqual(classes.map((c) => formatNumber(planted[c]!.objects)));
    await page.getByRole('region', { name: 'Storage tiers' }).screenshot({ path: path.join(SCREENSHOTS, 'posture-storage.png') });
  });

  it('renders the access overview: per-day requests, top principals, the planted bulk access and refusals', async () => {
    const section = page.getByRole('region', { name: 'Access overview' });
    expect(await section.innerText()).toContain('After-hours share');
    expect(await section.getByRole('table', { name: 'Top principals by volume', exact: true }).locator('tbody tr').count()).toBeGreaterThan(0);
    expect(await firstColumn(page, 'Bulk-access flags')).toEqual([shortArn(truth.bulkAccess.principal)]);
    expect(await section.getByRole('table', { name: 'Refused requests', exact: true }).locator('tbody tr').count()).toBeGreaterThan(0);
    await section.screenshot({ path: path.join(SCREENSHOTS, 'posture-access.png') });
  });

  it('renders trail health: every trail of the lake and its coverage gaps', async () => {
    const section = page.getByRole('region', { name: 'Trail health' });
    const trails = await firstColumn(page, 'Trails');
    for (const t of truth.trails) expect(trails.some((name) => name.startsWith(t.name))).toBe(true);
    const gaps = await firstColumn(page, 'Hours without CloudTrail events');
    if (truth.coverageGaps.length > 0) expect(gaps).toHaveLength(truth.coverageGaps.length);
    expect(await section.innerText()).toContain('Digest validation');
    await section.screenshot({ path: path.join(SCREENSHOTS, 'posture-trails.png') });
  });

  it('carries no patient identifier in the page text or the data handed to its charts', async () => {
    const ids = patientIdentifiers(truth);
    expect(ids.length).toBeGreaterThan(20);
    const text = await page.evaluate(() => document.body.innerText);
    const html = await page.content();
    expect(ids.filter((id) => text.includes(id) || html.includes(id))).toEqual([]);
  });

  it('refuses a window the picker does not offer with a 400 naming the choices', async () => {
    const other = await context.newPage();
    const response = await other.goto(`${baseUrl}/posture?days=12`);
    expect(response?.status()).toBe(400);
    expect(await other.evaluate(() => document.body.innerText)).toContain('choose 7, 30, 90 or 365 days');
    await other.close();
  });

  it('warns, never shows a clean zero, for a window the lake has no logs for', async () => {
    const other = await context.newPage();
    await openDashboards(other, '?from=2025-01-01&to=2025-01-07');
    const section = other.getByRole('region', { name: 'KMS Decrypt denied' });
    expect(await section.innerText()).toContain('Logs are missing for this window');
    expect(await section.getByRole('table', { name: 'Decrypt-denied spikes', exact: true }).count()).toBe(0);
    expect(await other.locator('[data-panel="decrypt"]').innerText()).toContain('No logs');
    await other.screenshot({ path: path.join(SCREENSHOTS, 'posture-no-logs.png'), fullPage: true });
    await other.close();
  });
});
