// Maps identity-provider claims to a Custos role: CUSTOS_OIDC_ROLE_MAP is "group=role,group=role";
// the first mapping (in that order) matching any value of the configured claim wins.
import { ROLES, type Role } from '@/lib/db/schema/users';

export type RoleMapping = { group: string; role: Role }[];

export function parseRoleMap(text: string): RoleMapping {
  const out: RoleMapping = [];
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const at = part.lastIndexOf('=');
    const group = part.slice(0, at).trim();
    const role = part.slice(at + 1).trim();
    if (at <= 0 || !group) throw new Error(`CUSTOS_OIDC_ROLE_MAP: "${part}" is not group=role`);
    if (!(ROLES as readonly string[]).includes(role)) {
      throw new Error(`CUSTOS_OIDC_ROLE_MAP: "${role}" is not a role (${ROLES.join(', ')})`);
    }
    out.push({ group, role: role as Role });
  }
  return out;
}

/** Reads a claim by name, including dotted paths such as "realm_access.roles". */
function claimValues(claims: Record<string, unknown>, claim: string): string[] {
  let value: unknown = claims;
  for (const key of claim.split('.')) {
    value = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  }
  if (typeof value === 'string') return value.split(/[\s,]+/).filter(Boolean);
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

export function roleFromClaims(claims: Record<string, unknown>, claim: string, mapping: RoleMapping): Role | null {
  const values = new Set(claimValues(claims, claim));
  return mapping.find((m) => values.has(m.group))?.role ?? null;
}
