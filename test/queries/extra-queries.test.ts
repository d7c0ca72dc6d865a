import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PERMISSIONS } from '@/lib/auth/policy';
import { ConfigError, resetEnvCache } from '@/lib/config/env';
import { PHI_ROLES } from '@/lib/queries/extra-queries';
import { extraQueries, findQuery, listQueries, QueryFileError } from '@/lib/queries/registry';

// A site's own saved queries are code the portal runs: an owner-only folder, no PHI role without
// an explicit setting, and their hashes known to the start-up journaling.

const query = (id: string, roles: string, body = 'SELECT count(*) AS n FROM study_catalog') =>
  `/*---\nid: ${id}\ntitle: ${id}\ndescription: A site query.\nroles: [${roles}]\ntables: [study_catalog]\ncolumns: [{ name: n, description: Studies. }]\n---*/\n${body}\n`;

const made: string[] = [];
function extraDir(files: Record<string, string>, mode = 0o700): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-extra-'));
  made.push(dir);
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text, { mode: 0o600 });
  fs.chmodSync(dir, mode);
  return dir;
}

function useEnv(vars: Record<string, string>) {
  Object.assign(process.env, vars);
  resetEnvCache();
}

describe('extra saved queries (CUSTOS_EXTRA_QUERIES_DIR)', () => {
  afterEach(() => {
    delete process.env.CUSTOS_EXTRA_QUERIES_DIR;
    delete process.env.CUSTOS_EXTRA_QUERIES_PHI;
    resetEnvCache();
    for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('treats as PHI roles exactly those the policy lets read patient identifiers', () => {
    expect([...PHI_ROLES]).toEqual([...PERMISSIONS['patient.read_phi']]);
    expect(PHI_ROLES).toContain('privacy_officer');
  });

  it('loads the queries of an owner-only folder after the built-in ones, with their SQL hashes', () => {
    const dir = extraDir({ 'site-studies.sql': query('site-studies', 'security_officer, auditor'), 'notes.txt': 'not a query' });
    useEnv({ CUSTOS_EXTRA_QUERIES_DIR: dir });
    const site = findQuery('site-studies');
    expect(site?.roles).toEqual(['security_officer', 'auditor']);
    expect(listQueries().at(-1)?.id).toBe('site-studies');
    expect(extraQueries()).toEqual({ dir, queries: [{ id: 'site-studies', sqlSha256: site!.sqlSha256 }] });
  });

  it('reports no extra queries when none are configured', () => {
    expect(extraQueries()).toBeNull();
  });

  it.each(['0755', '0750', '0705', '0720', '0701'])('refuses a folder with mode %s, naming the folder and its mode', (octal) => {
    const dir = extraDir({ 'site-studies.sql': query('site-studies', 'auditor') }, parseInt(octal, 8));
    useEnv({ CUSTOS_EXTRA_QUERIES_DIR: dir });
    expect(() => listQueries()).toThrow(ConfigError);
    expect(() => listQueries()).toThrow(`CUSTOS_EXTRA_QUERIES_DIR ${dir} has mode ${octal}: saved queries are code the portal runs`);
    expect(() => extraQueries()).toThrow(/chmod 700/);
  });

  it('refuses a query file others may change, and a folder that does not exist', () => {
    const dir = extraDir({ 'site-studies.sql': query('site-studies', 'auditor') });
    fs.chmodSync(path.join(dir, 'site-studies.sql'), 0o666);
    useEnv({ CUSTOS_EXTRA_QUERIES_DIR: dir });
    expect(() => listQueries()).toThrow(new RegExp(`site-studies\\.sql has mode 0666: others may change it`));
    useEnv({ CUSTOS_EXTRA_QUERIES_DIR: path.join(dir, 'missing') });
    expect(() => listQueries()).toThrow(`CUSTOS_EXTRA_QUERIES_DIR ${path.join(dir, 'missing')} does not exist`);
  });

  it('refuses a query naming a PHI role unless CUSTOS_EXTRA_QUERIES_PHI=1', () => {
    const dir = extraDir({ 'site-patients.sql': query('site-patients', 'security_officer, privacy_officer') });
    useEnv({ CUSTOS_EXTRA_QUERIES_DIR: dir });
    expect(() => listQueries()).toThrow(QueryFileError);
    expect(() => listQueries()).toThrow(
      /site-patients\.sql: names the role privacy_officer, which reads patient identifiers; a query from CUSTOS_EXTRA_QUERIES_DIR may do so only with CUSTOS_EXTRA_QUERIES_PHI=1/,
    );
    useEnv({ CUSTOS_EXTRA_QUERIES_PHI: '1' });
    expect(findQuery('site-patients')?.roles).toEqual(['security_officer', 'privacy_officer']);
  });

  it('refuses an extra query that is not a single SELECT, and one reusing a built-in id', () => {
    useEnv({ CUSTOS_EXTRA_QUERIES_DIR: extraDir({ 'site-copy.sql': query('site-copy', 'auditor', "COPY (SELECT 1) TO '/tmp/custos-x.csv'") }) });
    expect(() => listQueries()).toThrow(/site-copy\.sql: must be one SELECT \(or WITH … SELECT\) statement, not COPY/);
    useEnv({ CUSTOS_EXTRA_QUERIES_DIR: extraDir({ 'failed-access.sql': query('failed-access', 'auditor') }) });
    expect(() => listQueries()).toThrow(/a saved query with id failed-access already exists/);
  });
});
