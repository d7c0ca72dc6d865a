import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { Truth } from '@/lib/lake/generate/truth';

// The CLI as users script it: `npm run -s custos -- …`, its JSON shapes and exit codes.
const lake = inject('testLake');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-cli-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

function custos(...args: string[]) {
  return custosWithInput(undefined, ...args);
}

function custosWithInput(input: string | undefined, ...args: string[]) {
  const result = spawnSync('npm', ['run', '-s', 'custos', '--', ...args], {
    cwd: path.resolve(__dirname, '../..'),
    env: { ...process.env, CUSTOS_DATA_DIR: dataDir },
    encoding: 'utf8',
    timeout: 180_000,
    ...(input !== undefined ? { input } : {}),
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const truth = () => JSON.parse(fs.readFileSync(path.join(lake.compacted, 'truth.json'), 'utf8')) as Truth;

describe('custos CLI', () => {
  it('query list --json describes every saved query and its parameters', () => {
    const { code, stdout } = custos('query', 'list', '--json');
    expect(code).toBe(0);
    const list = JSON.parse(stdout) as { id: string; title: string; roles: string[]; parameters: { name: string; type: string }[] }[];
    const pah = list.find((q) => q.id === 'patient-access-history')!;
    expect(pah).toMatchObject({ title: 'Patient access history', roles: ['privacy_officer'] });
    expect(pah.parameters.map((p) => [p.name, p.type])).toEqual([
      ['patient', 'mrn'],
      ['from', 'date'],
      ['to', 'date'],
    ]);
    expect(list.length).toBeGreaterThanOrEqual(11);
  });

  it('query run --format json prints the run with its rows and stats', () => {
    const t = truth();
    const patient = t.patients.find((p) => p.kind === 'adult')!;
    const { code, stdout, stderr } = custos(
      'query', 'run', 'patient-access-history',
      '--param', `patient=${patient.mrn}`, '--param', `from=${t.window.from}`, '--param', `to=${t.window.to}`,
      '--format', 'json', '--lake', lake.compacted,
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(Object.keys(out)).toEqual(['runId', 'query', 'columns', 'rows', 'stats']);
    expect(out.query).toBe('patient-access-history');
    expect(out.columns.slice(0, 3)).toEqual(['event_time', 'principal', 'federated_user']);
    expect(out.rows.map((r: { event_time: string }) => r.event_time)).toEqual(patient.accesses.map((a) => a.time));
    expect(out.stats).toMatchObject({ rowCount: patient.accesses.length });
    expect(out.stats.durationMs).toBeGreaterThanOrEqual(0);
    expect(out.stats.bytesScanned).toBeGreaterThan(0);
  });

  it('query run reads a parameter given as - from standard input (so an MRN shows in no process list)', () => {
    const t = truth();
    const patient = t.patients.find((p) => p.kind === 'adult')!;
    const { code, stdout, stderr } = custosWithInput(
      `${patient.mrn}\n`,
      'query', 'run', 'patient-access-history',
      '--param', 'patient=-', '--param', `from=${t.window.from}`, '--param', `to=${t.window.to}`,
      '--format', 'json', '--lake', lake.compacted,
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(stdout).rows).toHaveLength(patient.accesses.length);
  });

  it('query run --format csv streams a header and one line per row', () => {
    const t = truth();
    const { code, stdout } = custos('query', 'run', 'failed-access', '--param', `from=${t.window.from}`, '--param', `to=${t.window.to}`, '--format', 'csv', '--lake', lake.compacted);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\r\n');
    expect(lines[0]).toBe('principal,source,denied,actions,first_denied,last_denied');
    expect(lines).toHaveLength(t.failedAccess.length + 1);
  });

  it.each([
    [['--param', 'patient=MRN1234567', '--param', 'from=2026-02-30', '--param', 'to=2026-03-01'], /From: enter a date as YYYY-MM-DD/],
    [['--param', "patient=' OR 1=1 --", '--param', 'from=2026-10-01', '--param', 'to=2026-10-02'], /Patient MRN: must be 3–32 letters/],
    [['--param', 'patient=MRN1234567', '--param', 'from=2026-10-05', '--param', 'to=2026-10-01'], /To: must be on or after From/],
  ])('refuses bad parameters with a message naming the field and no stack trace (%j)', (params, message) => {
    const { code, stdout, stderr } = custos('query', 'run', 'patient-access-history', ...params, '--lake', lake.compacted);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('answers an unknown command with the usage and exit code 2', () => {
    const { code, stderr } = custos('frobnicate');
    expect(code).toBe(2);
    expect(stderr).toContain('unknown command');
    expect(stderr).toContain('query run <id>');
  });

  it('config check names what is missing and exits non-zero', () => {
    const { code, stdout } = custos('config', 'check', '--json');
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ engine: 'duckdb', database: 'pglite', ok: false });
    const lakeCheck = report.checks.find((c: { item: string }) => c.item === 'Lake directory');
    expect(lakeCheck).toMatchObject({ ok: false });
    expect(lakeCheck.message).toMatch(/does not exist; run "custos lake generate" or set CUSTOS_LAKE_DIR/);
    expect(report.checks.find((c: { item: string }) => c.item === 'Portal database')).toMatchObject({ ok: true });
  });

  it('lake check reports records per source', () => {
    const { code, stdout } = custos('lake', 'check', '--lake', lake.raw);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    for (const source of ['cloudtrail', 's3_access_logs', 's3_inventory', 'study_catalog']) {
      expect(report.sources[source]).toMatchObject({ files: expect.any(Number), records: expect.any(Number), rejected: [] });
      expect(report.sources[source].records).toBeGreaterThan(0);
    }
  });

  it('journal verify exits 0 on an intact journal and names the altered entry otherwise', async () => {
    const intact = custos('journal', 'verify');
    expect(intact.code).toBe(0);
    expect(intact.stdout).toMatch(/^Journal intact: \d+ entries verified/);
    const db = await PGlite.create(path.join(dataDir, 'db'));
    await db.exec(`ALTER TABLE journal DISABLE TRIGGER journal_no_update_delete;
      UPDATE journal SET subject = 'tampered' WHERE seq = 2;
      ALTER TABLE journal ENABLE TRIGGER journal_no_update_delete;`);
    await db.close();
    const broken = custos('journal', 'verify');
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/Journal broken at entry 2 .*altered/);
  });
});
