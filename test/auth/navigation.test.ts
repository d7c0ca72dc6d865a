import { describe, expect, it } from 'vitest';
import { homeFor, navigationFor, queryBackLink } from '@/lib/auth/navigation';
import type { Role } from '@/lib/db/schema/users';

const actor = (role: Role) => ({ type: 'user' as const, userId: role, email: `${role}@x`, name: role, role, sessionId: 's' });

describe('where each role lands', () => {
  it.each([
    ['privacy_officer', '/patients'],
    ['security_officer', '/posture'],
    ['approver', '/retention'],
    ['auditor', '/audit'],
    ['admin', '/admin'],
  ] as const)('%s lands on %s, a section in its own navigation', (role, home) => {
    expect(homeFor(actor(role)).href).toBe(home);
    expect(navigationFor(actor(role)).map((s) => s.href)).toContain(home);
  });

  it('goes back from a saved query to the library only for roles that have it', () => {
    expect(queryBackLink(actor('auditor'))).toEqual({ href: '/audit', label: 'Audit' });
    expect(queryBackLink(actor('approver'))).toEqual({ href: '/retention', label: 'Retention' });
    expect(queryBackLink(actor('admin'))).toEqual({ href: '/admin', label: 'Admin' });
  });
});
