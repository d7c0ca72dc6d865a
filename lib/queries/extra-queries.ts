// Site-specific saved queries (CUSTOS_EXTRA_QUERIES_DIR) are code the portal runs with its own
// powers: their folder must be the portal user's alone, and naming a role that reads patient
// identifiers needs an explicit CUSTOS_EXTRA_QUERIES_PHI=1.
import fs from 'node:fs';
import path from 'node:path';
import { PERMISSIONS } from '@/lib/auth/policy';
import { ConfigError } from '@/lib/config/env';
import type { Role } from '@/lib/db/schema/users';

/** Roles that may read patient identifiers, as the policy says. */
export const PHI_ROLES: readonly Role[] = PERMISSIONS['patient.read_phi'];

export type ExtraQueries = { dir: string; queries: { id: string; sqlSha256: string }[] };

const octal = (mode: number) => `0${(mode & 0o777).toString(8).padStart(3, '0')}`;

/** Files the registry reads from the folder: its queries and its own fragments. */
function sqlFiles(dir: string): string[] {
  const list = (d: string) => (fs.existsSync(d) ? fs.readdirSync(d).filter((f) => f.endsWith('.sql')).map((f) => path.join(d, f)) : []);
  return [...list(dir), ...list(path.join(dir, 'fragments'))];
}

/** Refuses a folder others could read or change (or that another user owns), naming it and its mode. */
export function assertOwnerOnly(dir: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch {
    throw new ConfigError(`CUSTOS_EXTRA_QUERIES_DIR ${dir} does not exist`);
  }
  if (!stat.isDirectory()) throw new ConfigError(`CUSTOS_EXTRA_QUERIES_DIR ${dir} is not a folder`);
  if (process.platform === 'win32') return;
  if (stat.mode & 0o077) {
    throw new ConfigError(
      `CUSTOS_EXTRA_QUERIES_DIR ${dir} has mode ${octal(stat.mode)}: saved queries are code the portal runs, so the folder must be readable and writable by its owner only (chmod 700)`,
    );
  }
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid && stat.uid !== 0) {
    throw new ConfigError(`CUSTOS_EXTRA_QUERIES_DIR ${dir} belongs to user ${stat.uid}, not to the portal's user (${uid}) or root`);
  }
  // a file may be a link to somewhere the folder's mode does not protect
  for (const file of sqlFiles(dir)) {
    const mode = fs.statSync(file).mode;
    if (mode & 0o022) throw new ConfigError(`CUSTOS_EXTRA_QUERIES_DIR: ${file} has mode ${octal(mode)}: others may change it (chmod go-w)`);
  }
}

/** The PHI roles an extra query names, which it may only with CUSTOS_EXTRA_QUERIES_PHI=1. */
export function phiRolesNamed(roles: readonly Role[]): Role[] {
  return roles.filter((r) => PHI_ROLES.includes(r));
}
