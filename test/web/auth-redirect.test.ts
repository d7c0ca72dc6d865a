import { describe, expect, it } from 'vitest';
import { portalRedirect } from '@/lib/web/auth-options';

// Where next-auth sends the browser after signing in or out: a path on the portal, resolved by the
// browser against the address it is on, never NEXTAUTH_URL's host and never another site.
const baseUrl = 'http://localhost:3000';

describe('the redirect after signing in or out', () => {
  it('keeps a path on the portal as a path (so a browser on another host name stays there)', () => {
    expect(portalRedirect({ url: '/sign-in?reason=signed-out', baseUrl })).toBe('/sign-in?reason=signed-out');
    expect(portalRedirect({ url: '/audit/runs#latest', baseUrl })).toBe('/audit/runs#latest');
  });

  it("turns NEXTAUTH_URL's own absolute addresses into paths", () => {
    expect(portalRedirect({ url: 'http://localhost:3000/patients?x=1', baseUrl })).toBe('/patients?x=1');
    expect(portalRedirect({ url: 'http://localhost:3000', baseUrl })).toBe('/');
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
    expect(portalRedirect({ url, baseUrl })).toBe('/');
  });
});
