import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launch, signIn } from './browser';

const baseUrl = inject('baseUrl');

// Every section page × every demo role: 200 where the policy allows, 403 where it does not.
const PAGES: Record<string, string[]> = {
  '/audit': ['privacy', 'security', 'auditor'],
  '/audit/runs': ['privacy', 'security', 'approver1', 'auditor', 'admin'],
  '/audit/patient-access-history': ['privacy'],
  '/audit/failed-access': ['privacy', 'security', 'auditor'],
  '/audit/retention-due': ['privacy', 'approver1'],
  '/audit/storage-tier-distribution': ['privacy', 'security', 'auditor', 'admin'],
  '/patients': ['privacy'],
  '/posture': ['privacy', 'security', 'auditor'],
  '/retention': ['privacy', 'approver1', 'auditor', 'admin'],
  '/evidence': ['privacy', 'security', 'approver1', 'auditor', 'admin'],
  '/admin': ['auditor', 'admin'],
};
const ROLES = ['privacy', 'security', 'approver1', 'auditor', 'admin'];

describe('authorization of every page for every role', () => {
  let browser: Browser;
  const contexts = new Map<string, BrowserContext>();
  // Sessions idle out after a minute in this suite's portal, so each role signs in when its turn comes.
  const signedIn = async (role: string) => {
    let context = contexts.get(role);
    if (!context) {
      context = await browser.newContext();
      await signIn(await context.newPage(), baseUrl, `${role}@demo.custos`);
      contexts.set(role, context);
    }
    return context;
  };
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(async () => browser?.close());

  it.each(ROLES)('%s gets 200 exactly where the policy allows and 403 elsewhere', async (role) => {
    const page = await (await signedIn(role)).newPage();
    const statuses: Record<string, number> = {};
    for (const path of Object.keys(PAGES)) statuses[path] = (await page.goto(`${baseUrl}${path}`))!.status();
    const expected = Object.fromEntries(Object.entries(PAGES).map(([path, allowed]) => [path, allowed.includes(role) ? 200 : 403]));
    expect(statuses).toEqual(expected);
    const main = page.getByRole('navigation', { name: 'Main' });
    await main.waitFor();
    const nav = await main.getByRole('link').allInnerTexts();
    const sections: Record<string, string> = { '/audit': 'Audit', '/patients': 'Patients', '/posture': 'Posture', '/retention': 'Retention', '/evidence': 'Evidence', '/admin': 'Admin' };
    expect(nav).toEqual(Object.entries(sections).filter(([path]) => PAGES[path]!.includes(role)).map(([, label]) => label));
    await page.close();
  });

  it('refuses the export of another person\'s run and the runs API without a session', async () => {
    const anonymous = await fetch(`${baseUrl}/api/runs/00000000-0000-0000-0000-000000000000/status`);
    expect(anonymous.status).toBe(401);
    const page = await (await signedIn('security')).newPage();
    const response = await page.request.get(`${baseUrl}/api/runs/00000000-0000-0000-0000-000000000000/export?format=csv`);
    expect(response.status()).toBe(404);
    await page.close();
  });
});
