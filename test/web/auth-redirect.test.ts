import { describe, expect, it } from 'vitest';
import { portalRedirect } from '@/lib/web/auth-options';

// Where next-auth sends the browser after signing in or out: a page on the portal (absolute, since
// next-auth's client parses it), never another site. The sign-in form and the sign-out button
// navigate by path, so the browser stays on the address it is on.
const baseUrl = 'http://localhost:3000';

describe('the redirect after signing in or out', () => {
  it('keeps a path on the portal, as an address next-auth\'s client can parse', () => {
    expect(portalRedirect({ url: '/sign-in?reason=signed-out', baseUrl })).toBe('http://localhost:3000/sign-in?reason=signed-out');
    expect(portalRedirect({ url: '/audit/runs#latest', baseUrl })).toBe('http://localhost:3000/audit/runs#latest');
    expect(() => new URL(portalRedirect({ url: '/patients', baseUrl }))).not.toThrow();
  });

  it("keeps NEXTAUTH_URL's own addresses", () => {
    expect(portalRedirect({ url: 'http://localhost:3000/patients?x=1', baseUrl })).toBe('http://localhost:3000/patients?x=1');
    expect(portalRedirect({ url: 'http://localhost:3000', baseUrl })).toBe('http://localhost:3000/');
  });

  it.each([
    'https://evil.example/sign-in',
    'http://localhost:3001/sign-in',
    'https://localhost:3000/sign-in',
    '//evil.example/sign-in',
    '/\\evil.example',
    '/\t/evil.example',
    'javascript:alert(1)',
    'sign-in',
    '',
  ])('sends %j to the home page', (url) => {
    expect(portalRedirect({ url, baseUrl })).toBe('http://localhost:3000/');
  });
});
