import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launch, signIn } from './browser';

const baseUrl = inject('baseUrl');

describe('sessions', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(async () => browser?.close());

  it('signing out ends the session on the server: a replayed cookie no longer works', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, baseUrl, 'auditor@demo.custos');
    const cookies = await context.cookies();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in\?reason=signed-out/);
    await page.getByText('You have signed out.').waitFor();
    const replay = await browser.newContext();
    await replay.addCookies(cookies);
    const again = await replay.newPage();
    await again.goto(`${baseUrl}/admin`);
    expect(new URL(again.url()).pathname).toBe('/sign-in');
    await replay.close();
    await context.close();
  });

  it('locks an account after repeated failed sign-ins and says so', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${baseUrl}/sign-in`);
    for (let i = 0; i < 5; i++) {
      await page.getByLabel('Email').fill('approver2@demo.custos');
      await page.getByLabel('Password').fill(`wrong-password-${i}`);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').first().waitFor();
    }
    await expect.poll(() => page.getByRole('alert').first().innerText()).toMatch(/Too many failed attempts for this account/);
    await page.getByLabel('Password').fill('custos-demo');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').first().innerText()).toMatch(/Too many failed attempts/);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await context.close();
  });

  it('ends an idle session and says why at the next visit', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, baseUrl, 'security@demo.custos');
    await page.goto(`${baseUrl}/posture`);
    expect(new URL(page.url()).pathname).toBe('/posture');
    await page.waitForTimeout(65_000); // the e2e portal runs with a 1-minute idle limit
    await page.goto(`${baseUrl}/posture`);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await page.getByText('Your session ended after a period of inactivity').waitFor();
    await context.close();
  });
});
