import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEnv, servedOverHttps } from '@/lib/config/env';
import { sessionCookieNames } from '@/lib/web/guard';
import { contentSecurityPolicy, securityHeaders } from '@/lib/web/security-headers';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-hardening-'));
const env = (vars: Record<string, string>) => parseEnv({ CUSTOS_DATA_DIR: root, ...vars });
const database = { DATABASE_URL: 'postgres://db/custos' };

describe('the public URL outside the embedded default', () => {
  it('must be given and https once a database or identity provider is configured', () => {
    expect(() => env(database)).toThrow('NEXTAUTH_URL is required');
    expect(() => env({ ...database, NEXTAUTH_URL: 'http://custos.example' })).toThrow('NEXTAUTH_URL must be https://');
    expect(() => env({ CUSTOS_OIDC_ISSUER: 'https://idp.example', CUSTOS_OIDC_CLIENT_ID: 'c', CUSTOS_OIDC_CLIENT_SECRET: 's', NEXTAUTH_URL: 'http://custos.example' })).toThrow(
      'NEXTAUTH_URL must be https://',
    );
    expect(() => env({ ...database, NEXTAUTH_URL: 'custos.example' })).toThrow('expected the portal\'s public URL, got "custos.example"');
    expect(env({ ...database, NEXTAUTH_URL: 'https://custos.example' }).NEXTAUTH_URL).toBe('https://custos.example');
  });

  it('may be http only on loopback, with the portal listening on loopback too', () => {
    expect(env({ ...database, NEXTAUTH_URL: 'http://127.0.0.1:3000', HOST: '127.0.0.1' }).host).toBe('127.0.0.1');
    expect(env({ ...database, NEXTAUTH_URL: 'http://localhost:3000', HOST: 'localhost' }).host).toBe('localhost');
    // listening on every interface, so other machines would reach it over plain http
    expect(() => env({ ...database, NEXTAUTH_URL: 'http://127.0.0.1:3000' })).toThrow('NEXTAUTH_URL must be https://');
  });

  it('is not required by the embedded default, which serves loopback only', () => {
    expect(env({}).embedded).toBe(true);
    expect(servedOverHttps(env({}))).toBe(false);
    expect(servedOverHttps(env({ ...database, NEXTAUTH_URL: 'https://custos.example' }))).toBe(true);
  });
});

describe('the session cookie', () => {
  it('over https is only the __Secure- one, which another origin cannot plant', () => {
    expect(sessionCookieNames(true)).toEqual(['__Secure-next-auth.session-token']);
    expect(sessionCookieNames(false)).toEqual(['__Secure-next-auth.session-token', 'next-auth.session-token']);
  });
});

describe('security headers', () => {
  const directives = (csp: string) => new Map(csp.split('; ').map((d) => [d.split(' ')[0]!, d.split(' ').slice(1)]));

  it('allow scripts only from the portal or carrying this response\'s nonce', () => {
    const csp = directives(contentSecurityPolicy({ nonce: 'abc123', https: false }));
    expect(csp.get('script-src')).toEqual(["'self'", "'nonce-abc123'", "'strict-dynamic'"]);
    expect(csp.get('default-src')).toEqual(["'self'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'none'"]);
    expect(csp.get('form-action')).toEqual(["'self'"]);
    expect(csp.has('upgrade-insecure-requests')).toBe(false);
  });

  it('let the sign-in form hand over to the identity provider, and nowhere else', () => {
    const csp = directives(contentSecurityPolicy({ nonce: 'n', https: true, oidcOrigin: 'https://idp.example' }));
    expect(csp.get('form-action')).toEqual(["'self'", 'https://idp.example']);
    expect(csp.has('upgrade-insecure-requests')).toBe(true);
  });

  it('allow eval only for the development server', () => {
    expect(contentSecurityPolicy({ nonce: 'n', https: false })).not.toContain('unsafe-eval');
    expect(contentSecurityPolicy({ nonce: 'n', https: false, development: true })).toContain("'unsafe-eval'");
  });

  it('add HSTS only over https, and always a Permissions-Policy', () => {
    expect(securityHeaders({ nonce: 'n', https: false })['Strict-Transport-Security']).toBeUndefined();
    expect(securityHeaders({ nonce: 'n', https: true })['Strict-Transport-Security']).toBe('max-age=63072000; includeSubDomains');
    expect(securityHeaders({ nonce: 'n', https: false })['Permissions-Policy']).toContain('camera=()');
  });
});
