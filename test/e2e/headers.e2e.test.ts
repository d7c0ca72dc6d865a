import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launch, signIn } from './browser';
import { HttpSession } from './support/http-session';

// Browser hardening on every kind of response the portal gives: the sign-in page, a portal page,
// the 403 and 404 pages, an API route, a refused API call and a download.
const baseUrl = inject('baseUrl');
const dataDir = inject('dataDir');
const ROOT = path.resolve(__dirname, '../..');

function expectHardened(response: Response, what: string): string {
  const h = response.headers;
  const csp = h.get('content-security-policy') ?? '';
  expect(csp, what).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{20,}' 'strict-dynamic'/);
  expect(csp, what).toContain("frame-ancestors 'none'");
  expect(csp, what).toContain("object-src 'none'");
  expect(csp, what).toContain("base-uri 'none'");
  expect(h.get('permissions-policy'), what).toContain('camera=()');
  expect(h.get('cross-origin-opener-policy'), what).toBe('same-origin');
  expect(h.get('x-content-type-options'), what).toBe('nosniff');
  expect(h.get('x-frame-options'), what).toBe('DENY');
  expect(h.get('cache-control'), what).toContain('no-store');
  // served over plain http on loopback: no HSTS (a browser would ignore it there anyway)
  expect(h.get('strict-transport-security'), what).toBeNull();
  return csp.match(/'nonce-([^']+)'/)![1]!;
}

describe('security headers on every kind of response', () => {
  let po: HttpSession;
  let approver: HttpSession;
  beforeAll(async () => {
    po = await HttpSession.signIn(baseUrl, 'privacy@demo.custos');
    approver = await HttpSession.signIn(baseUrl, 'approver1@demo.custos');
  });

  it('the sign-in page, with a fresh nonce each time that its scripts carry', async () => {
    const first = await fetch(`${baseUrl}/sign-in`);
    const second = await fetch(`${baseUrl}/sign-in`);
    const nonce = expectHardened(first, 'sign-in');
    expect(expectHardened(second, 'sign-in again')).not.toBe(nonce);
    const html = await first.text();
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
  });

  it('a portal page, the 403 and 404 pages', async () => {
    expectHardened(await po.get('/audit'), 'portal page');
    const forbidden = await approver.get('/admin');
    expect(forbidden.status).toBe(403);
    expectHardened(forbidden, '403');
    const missing = await po.get('/no-such-page');
    expect(missing.status).toBe(404);
    expectHardened(missing, '404');
  });

  it('API routes, answered or refused', async () => {
    expectHardened(await fetch(`${baseUrl}/api/health`), 'health');
    const refused = await fetch(`${baseUrl}/api/runs/00000000-0000-0000-0000-000000000000/status`);
    expect(refused.status).toBe(401);
    expectHardened(refused, '401');
  });

  it('a download', async () => {
    const truth = JSON.parse(fs.readFileSync(path.join(dataDir, 'lake', 'truth.json'), 'utf8')) as { window: { from: string; to: string } };
    const data = new FormData();
    data.set('from', truth.window.from);
    data.set('to', truth.window.to);
    const started = await po.action(ROOT, '(portal)/audit/[queryId]/actions.ts#runQueryAction', '/audit/failed-access', ['failed-access', null, data]);
    const runId = started.redirect!.split('/').pop()!;
    for (let i = 0; i < 200; i++) {
      const body = (await (await po.get(`/api/runs/${runId}/status`)).json()) as { status: string };
      if (body.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const handed = await po.action(ROOT, '(portal)/audit/runs/[runId]/actions.ts#exportRunAction', '/audit/runs', [runId, 'csv']);
    const download = await po.get(String(handed.data));
    expect(download.status).toBe(200);
    expectHardened(download, 'download');
  });
});

describe('the policy in a browser', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(async () => browser?.close());

  it('blocks nothing the portal itself serves: pages hydrate and no violation is reported', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    await signIn(page, baseUrl, 'privacy@demo.custos');
    for (const url of ['/audit', '/audit/failed-access', '/patients', '/posture']) {
      await page.goto(`${baseUrl}${url}`);
      await page.waitForLoadState('networkidle');
    }
    // client components work only if their scripts ran
    await page.goto(`${baseUrl}/audit/failed-access`);
    await expect.poll(() => page.evaluate(() => typeof (window as unknown as { next?: unknown }).next)).toBe('object');
    expect(violations).toEqual([]);
    await context.close();
  });
});
