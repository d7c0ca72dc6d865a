import { describe, expect, it } from 'vitest';
import { parseRoleMap, roleFromClaims } from '@/lib/auth/oidc-roles';

describe('OIDC group → role mapping', () => {
  const map = parseRoleMap('custos-privacy=privacy_officer, custos-secops=security_officer,records=approver,audit=auditor,it-admins=admin');

  it('maps the first matching group, whatever the claim shape', () => {
    expect(roleFromClaims({ groups: ['staff', 'custos-secops'] }, 'groups', map)).toBe('security_officer');
    expect(roleFromClaims({ groups: 'staff custos-privacy' }, 'groups', map)).toBe('privacy_officer');
    expect(roleFromClaims({ realm_access: { roles: ['records'] } }, 'realm_access.roles', map)).toBe('approver');
    // the mapping's order decides between two matching groups
    expect(roleFromClaims({ groups: ['it-admins', 'custos-privacy'] }, 'groups', map)).toBe('privacy_officer');
  });

  it('gives no role when no group matches or the claim is missing', () => {
    expect(roleFromClaims({ groups: ['staff'] }, 'groups', map)).toBeNull();
    expect(roleFromClaims({}, 'groups', map)).toBeNull();
    expect(roleFromClaims({ groups: [42, null] }, 'groups', map)).toBeNull();
  });

  it('refuses a malformed mapping naming the bad part', () => {
    expect(() => parseRoleMap('custos-privacy')).toThrow(/"custos-privacy" is not group=role/);
    expect(() => parseRoleMap('a=superuser')).toThrow(/"superuser" is not a role/);
    expect(parseRoleMap('')).toEqual([]);
  });
});
