import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Truth } from '@/lib/lake/generate/truth';
import { BAD_QUERY_STRINGS } from '../support/bad-query-strings';
import { launch, signIn } from './browser';
import { HttpSession } from './support/http-session';

// Every role lands somewhere useful and never follows the portal's own link into a 403 or 404; a
// role that may not read patient identifiers never sees one on any page it can reach.
const baseUrl = inject('baseUrl');
const dataDir = inject('dataDir');
const ROLES = ['privacy', 'security', 'approver1', 'auditor', 'admin'] as const;
const HOMES: Record<(typeof ROLES)[number], string> = { privacy: '/patients', security: '/posture', approver1: '/retention', auditor: '/audit', admin: '/admin' };

// Links that leave the page's own navigation: downloads, next-auth, the API.
const SKIP = [/^\/api\//, /^\/sign-in/];
// Pages of one shape (a run, a page of history) are visited a few times, not hundreds.
const shapeOf = (url: URL) => `${url.pathname.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, ':id')}?${[...url.searchParams.keys()].sort().join('&')}`;

describe('navigation', () => {
  let browser: Browser;
  let truth: Truth;
  beforeAll(async () => {
    browser = await launch();
    truth = JSON.parse(fs.readFileSync(path.join(dataDir, 'lake', 'truth.json'), 'utf8')) as Truth;
  });
  afterAll(async () => browser?.close());

  it.each(ROLES)('%s lands on its home, follows every link to a page that answers, and sees no patient identifier it may not', async (who) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, baseUrl, `${who}@demo.custos`);
    await page.goto(`${baseUrl}/`);
    expect(new URL(page.url()).pathname).toBe(HOMES[who]);
    await expect.poll(() => page.locator('main h1').count()).toBeGreaterThan(0);

    const identifiers = who === 'privacy' ? [] : truth.patients.flatMap((p) => [p.mrn, p.patientIdHash]);
    const seen = new Map<string, number>();
    const queue: { url: string; from: string }[] = [{ url: HOMES[who], from: '(home)' }];
    const visited = new Set<string>();
    const broken: string[] = [];
    const leaks: string[] = [];
    while (queue.length > 0 && visited.size < 120) {
      const { url, from } = queue.shift()!;
      const target = new URL(url, baseUrl);
      const key = target.pathname + target.search;
      if (visited.has(key)) continue;
      const shape = shapeOf(target);
      if ((seen.get(shape) ?? 0) >= 3) continue;
      seen.set(shape, (seen.get(shape) ?? 0) + 1);
      visited.add(key);
      const response = await page.goto(target.toString());
      const status = response?.status() ?? 0;
      if (status >= 400) {
        broken.push(`${status} ${key} (linked from ${from})`);
        continue;
      }
      const text = await page.locator('body').innerText();
      for (const id of identifiers) if (text.includes(id)) leaks.push(`${key} shows ${id.slice(0, 3)}…`);
      const hrefs = await page.$$eval('a[href]', (links) => links.filter((a) => !a.hasAttribute('download')).map((a) => a.getAttribute('href')!));
      for (const href of hrefs) {
        const next = new URL(href, target);
        if (next.origin !== new URL(baseUrl).origin || SKIP.some((p) => p.test(next.pathname))) continue;
        queue.push({ url: next.pathname + next.search, from: key });
      }
    }
    expect(broken).toEqual([]);
    expect(leaks).toEqual([]);
    expect(visited.size).toBeGreaterThan(3);
    await context.close();
  });
});

describe('run pages offer only what the role may do', () => {
  it('show the auditor another officer\'s run without Re-run or New run, which it may not use', async () => {
    const truth = JSON.parse(fs.readFileSync(path.join(dataDir, 'lake', 'truth.json'), 'utf8')) as Truth;
    const po = await HttpSession.signIn(baseUrl, 'privacy@demo.custos');
    const form = new FormData();
    form.set('from', truth.window.from);
    form.set('to', truth.window.to);
    form.set('patient', truth.patients[0]!.mrn);
    const started = await po.action(path.resolve(__dirname, '../..'), '(portal)/audit/[queryId]/actions.ts#runQueryAction', '/audit/patient-access-history', ['patient-access-history', null, form]);
    const runUrl = started.redirect!;
    const mine = await (await po.get(runUrl)).text();
    expect(mine).toContain('New run');
    const auditor = await HttpSession.signIn(baseUrl, 'auditor@demo.custos');
    const response = await auditor.get(runUrl);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).not.toContain('Re-run');
    expect(html).not.toContain('New run');
  });
});

describe('bad values in the address bar', () => {
  let po: HttpSession;
  beforeAll(async () => {
    po = await HttpSession.signIn(baseUrl, 'privacy@demo.custos');
  });

  it('give a styled 400 with the portal header that names the value, on every page that reads a query string', async () => {
    const wrong: string[] = [];
    for (const [pathname, corpus] of Object.entries(BAD_QUERY_STRINGS)) {
      for (const query of corpus) {
        const response = await po.get(`${pathname}?${query}`);
        const html = await response.text();
        const ok = response.status === 400 && html.includes('400 — Bad request') && html.includes('aria-label="Main"') && /cannot be used|is given twice/.test(html);
        if (!ok) wrong.push(`${response.status} ${pathname}?${query}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('give a 404, not an error, for an address naming no run', async () => {
    for (const url of ['/audit/runs/not-a-run', '/audit/runs/00000000-0000-0000-0000-000000000000', '/audit/no-such-query']) {
      expect((await po.get(url)).status, url).toBe(404);
    }
  });
});
