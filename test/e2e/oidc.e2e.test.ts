import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launch } from './browser';
import { startIdentityProvider, type IdentityProvider, type Person } from './support/identity-provider';
import { dataDirWithLake, freePort, seedDemoAccounts, startPortal, type Portal } from './support/portal';

const PRIVACY: Person = {
  sub: 'hs-20417',
  email: 'dana.whitfield@hospital.example',
  password: 'idp-password-1',
  name: 'Dana Whitfield',
  groups: ['all-staff', 'custos-privacy'],
};
const UNMAPPED: Person = {
  sub: 'hs-31188',
  email: 'lee.moreno@hospital.example',
  password: 'idp-password-2',
  name: 'Lee Moreno',
  groups: ['all-staff', 'radiology'],
};

// A second portal of its own: the shared one runs without an identity provider.
describe('sign-in through an OpenID Provider', () => {
  let idp: IdentityProvider | undefined;
  let portal: Portal | undefined;
  let dataDir: string | undefined;
  let browser: Browser;
  const base = () => portal!.baseUrl;

  beforeAll(async () => {
    const port = await freePort();
    idp = await startIdentityProvider({ redirectUri: `http://127.0.0.1:${port}/api/auth/callback/oidc`, people: [PRIVACY, UNMAPPED] });
    dataDir = dataDirWithLake(path.join(inject('dataDir'), 'lake'));
    // as left by an earlier run with demo accounts, before the identity provider was configured
    await seedDemoAccounts(dataDir);
    portal = await startPortal({
      dataDir,
      port,
      env: {
        CUSTOS_OIDC_ISSUER: idp.issuer,
        CUSTOS_OIDC_CLIENT_ID: idp.clientId,
        CUSTOS_OIDC_CLIENT_SECRET: idp.clientSecret,
        CUSTOS_OIDC_NAME: 'Hospital SSO',
        CUSTOS_OIDC_ROLE_MAP: 'custos-privacy=privacy_officer',
      },
    });
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await portal?.stop();
    await idp?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function signInThroughProvider(page: Page, person: Person): Promise<void> {
    await page.goto(`${base()}/sign-in`);
    await page.getByRole('button', { name: 'Sign in with Hospital SSO' }).click();
    await page.waitForURL((url) => url.origin === idp!.issuer && url.pathname.startsWith('/interaction/'));
    await page.getByLabel('Email').fill(person.email);
    await page.getByLabel('Password').fill(person.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.origin === base() && !url.pathname.startsWith('/api/auth/'), { timeout: 30_000 });
  }

  it('says demo accounts are disabled, offers the provider, and refuses a demo account its password sign-in', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base()}/sign-in`);
    await page.getByText('Demo accounts are disabled because an identity provider is configured').waitFor();
    expect(await page.getByRole('heading', { name: 'Demo accounts' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Sign in with Hospital SSO' }).isVisible()).toBe(true);

    await page.getByLabel('Email').fill('privacy@demo.custos');
    await page.getByLabel('Password').fill('custos-demo');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'Demo accounts are disabled on this portal.' }).waitFor();
    await page.goto(`${base()}/patients`);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await context.close();
  });

  it('signs in a person whose group maps to privacy officer and shows them the Patients section', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signInThroughProvider(page, PRIVACY);
    // a privacy officer's home is the patient view
    await page.waitForURL(`${base()}/patients`);
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Patients' }).waitFor();
    expect(await nav.getByRole('link').allInnerTexts()).toEqual(['Audit', 'Patients', 'Posture', 'Retention', 'Evidence']);
    await page.getByRole('banner').getByText(PRIVACY.name, { exact: true }).waitFor();
    await page.getByRole('banner').getByText('Privacy officer', { exact: true }).waitFor();

    const response = await page.goto(`${base()}/patients`);
    expect(response?.status()).toBe(200);
    expect(new URL(page.url()).pathname).toBe('/patients');
    await context.close();
  });

  it('refuses a person with no mapped group and says they have no Custos role', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signInThroughProvider(page, UNMAPPED);
    const url = new URL(page.url());
    expect(url.pathname).toBe('/sign-in');
    expect(url.searchParams.get('error')).toBe('AccessDenied');
    await page.getByRole('alert').filter({ hasText: 'Your identity provider account has no Custos role.' }).waitFor();
    await page.goto(`${base()}/patients`);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await context.close();
  });

  it('signing out ends the session on the server: the old cookie no longer opens a page', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signInThroughProvider(page, PRIVACY);
    // a privacy officer's home is the patient view
    await page.waitForURL(`${base()}/patients`);
    const cookies = await context.cookies(base());
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in\?reason=signed-out/);
    await page.getByText('You have signed out.').waitFor();

    const replay = await browser.newContext();
    await replay.addCookies(cookies);
    const again = await replay.newPage();
    await again.goto(`${base()}/patients`);
    expect(new URL(again.url()).pathname).toBe('/sign-in');
    await replay.close();
    await context.close();
  });
});
