import { describe, expect, it } from 'vitest';
import { safeCallbackUrl } from '@/lib/auth/sign-in-page';

// Where the sign-in page sends a person afterwards: the portal's own pages only, whatever the link said.
describe('the address followed after sign-in', () => {
  it.each([
    '/\t/evil.example',
    '/\t/evil.example/phish',
    '/\n/evil.example',
    '/\r\n/evil.example',
    '//evil.example',
    '///evil.example',
    '/\\evil.example',
    '/\\/evil.example',
    '\\\\evil.example',
    '/\t\\evil.example',
    'https://evil.example/',
    'http:evil.example',
    '//evil.example@custos.invalid',
    'javascript:alert(1)',
    'JavaScript:alert(1)',
    ' javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'evil.example',
    '',
  ])('refuses %j', (hostile) => {
    expect(safeCallbackUrl(hostile)).toBe('/');
  });

  it.each([
    ['/audit/runs', '/audit/runs'],
    ['/audit/patient-access-history?from=2026-10-01#results', '/audit/patient-access-history?from=2026-10-01#results'],
    ['/%2F%2Fevil.example', '/%2F%2Fevil.example'],
    ['/audit/../admin', '/admin'],
  ])('keeps %j on the portal as %j', (value, expected) => {
    expect(safeCallbackUrl(value)).toBe(expected);
  });

  it('treats a missing value as the home page', () => {
    expect(safeCallbackUrl(undefined)).toBe('/');
  });
});
