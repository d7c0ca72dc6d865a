import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { securityChecks } from '@/lib/admin/security-checks';
import { demoOffReason } from '@/lib/auth/sign-in-page';
import { nextStartArgs } from '@/lib/cli/commands/serve';
import { parseEnv } from '@/lib/config/env';

// Demo accounts (a published password) exist only where no real data can be: the generated demo
// lake read by the embedded engine, or explicitly with a password of the site's own.
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-demo-mode-'));
const demoLake = path.join(root, 'demo-lake');
const realLake = path.join(root, 'real-lake');
fs.mkdirSync(path.join(demoLake, '_custos'), { recursive: true });
fs.writeFileSync(path.join(demoLake, '_custos', 'generation.json'), '{}');
fs.mkdirSync(path.join(realLake, 'AWSLogs'), { recursive: true });
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const env = (vars: Record<string, string>) => parseEnv({ CUSTOS_DATA_DIR: root, NEXTAUTH_URL: 'https://custos.example', ...vars });

describe('demo accounts', () => {
  it('are on for the embedded engine over the generated demo lake', () => {
    expect(env({ CUSTOS_LAKE_DIR: demoLake }).demoAccounts).toBe(true);
  });

  it.each([
    ['Athena over production data', { CUSTOS_ENGINE: 'athena', CUSTOS_CATALOG_HMAC_KEY: 'prod-key' }],
    ['the embedded engine over a real lake', { CUSTOS_LAKE_DIR: realLake }],
    ['PostgreSQL, even over the demo lake', { CUSTOS_LAKE_DIR: demoLake, DATABASE_URL: 'postgres://db/custos' }],
    ['an identity provider, even over the demo lake', { CUSTOS_LAKE_DIR: demoLake, CUSTOS_OIDC_ISSUER: 'https://idp.example', CUSTOS_OIDC_CLIENT_ID: 'c', CUSTOS_OIDC_CLIENT_SECRET: 's' }],
    ['CUSTOS_DEMO=1 with the published password over Athena', { CUSTOS_ENGINE: 'athena', CUSTOS_DEMO: '1' }],
    ['CUSTOS_DEMO=1 with the published password over a real lake', { CUSTOS_LAKE_DIR: realLake, CUSTOS_DEMO: '1' }],
  ])('are off with %s', (_, vars) => {
    expect(env(vars as Record<string, string>).demoAccounts).toBe(false);
  });

  it('stay on with CUSTOS_DEMO=1 over the demo lake even with PostgreSQL, and with a password of the site’s own anywhere', () => {
    expect(env({ CUSTOS_LAKE_DIR: demoLake, DATABASE_URL: 'postgres://db/custos', CUSTOS_DEMO: '1' }).demoAccounts).toBe(true);
    expect(env({ CUSTOS_ENGINE: 'athena', CUSTOS_DEMO: '1', CUSTOS_DEMO_PASSWORD: 'a-long-site-password' }).demoAccounts).toBe(true);
  });

  it('fail `config check` when they are on over Athena or a lake the generator did not write', () => {
    const check = (vars: Record<string, string>) => securityChecks(env(vars)).find((c) => c.item === 'Demo accounts')!;
    expect(check({ CUSTOS_ENGINE: 'athena', CUSTOS_DEMO: '1', CUSTOS_DEMO_PASSWORD: 'a-long-site-password' })).toMatchObject({ ok: false, message: expect.stringContaining('Athena') });
    expect(check({ CUSTOS_LAKE_DIR: realLake, CUSTOS_DEMO: '1', CUSTOS_DEMO_PASSWORD: 'a-long-site-password' })).toMatchObject({ ok: false });
    expect(check({ CUSTOS_LAKE_DIR: demoLake })).toMatchObject({ ok: true, message: 'on, over the generated demo lake only' });
    expect(check({ CUSTOS_LAKE_DIR: realLake })).toMatchObject({ ok: true, message: 'off' });
  });

  it('say why they are off', () => {
    expect(demoOffReason(env({ CUSTOS_LAKE_DIR: realLake }))).toMatch(/only over the generated demo lake/);
    expect(demoOffReason(env({ CUSTOS_LAKE_DIR: demoLake, DATABASE_URL: 'postgres://db/custos' }))).toMatch(/external database/);
  });
});

describe('the interface the portal listens on', () => {
  it('is loopback in the embedded default, unless HOST says otherwise', () => {
    expect(nextStartArgs(env({ CUSTOS_LAKE_DIR: demoLake }))).toEqual(['start', '-p', '3000', '-H', '127.0.0.1']);
    expect(nextStartArgs(env({ CUSTOS_LAKE_DIR: demoLake, HOST: '0.0.0.0', PORT: '8080' }))).toEqual(['start', '-p', '8080', '-H', '0.0.0.0']);
  });

  it('is every interface in production (behind its load balancer), unless HOST says otherwise', () => {
    expect(env({ DATABASE_URL: 'postgres://db/custos' }).host).toBe('0.0.0.0');
    expect(env({ DATABASE_URL: 'postgres://db/custos', HOST: '10.0.0.5' }).host).toBe('10.0.0.5');
  });
});
