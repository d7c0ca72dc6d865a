import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { commandHelp } from '@/lib/cli/args';
import { COMMANDS } from '@/lib/cli/commands';
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

/** Runs the CLI with its standard output read by nobody (reader closed at once) or by a reader that stops after the first chunk. */
function custosClosingStdout(when: 'at-once' | 'after-first-chunk', ...args: string[]) {
  return new Promise<{ code: number | null; stderr: string; received: number }>((resolve, reject) => {
    const child = spawn('npm', ['run', '-s', 'custos', '--', ...args], {
      cwd: path.resolve(__dirname, '../..'),
      env: { ...process.env, CUSTOS_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let received = 0;
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    if (when === 'at-once') child.stdout.destroy();
    else
      child.stdout.on('data', (chunk: Buffer) => {
        received += chunk.length;
        child.stdout.destroy();
      });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr, received }));
  });
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
    expect(Object.keys(out)).toEqual(['runId', 'query', 'columns', 'rows', 'stats', 'coverage']);
    expect(out.query).toBe('patient-access-history');
    // what the logs cover of the window: the planted CloudTrail gap, the access logs whole
    const days = (Date.parse(t.window.to) - Date.parse(t.window.from)) / 86_400_000 + 1;
    const everyDay = { daysWithLogs: days, daysWithout: 0, firstDay: t.window.from, lastDay: t.window.to };
    expect(out.coverage).toEqual({
      from: t.window.from,
      to: t.window.to,
      sources: {
        cloudtrail: { ...everyDay, gaps: t.coverageGaps.map(({ from, to }) => ({ from, to })) },
        s3_access_logs: { ...everyDay, gaps: [] },
      },
    });
    expect(out.coverage.sources.cloudtrail.gaps).toHaveLength(1);
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

  it('answers an unknown command with one line naming the commands, exit code 2', () => {
    const { code, stdout, stderr } = custos('frobnicate');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^custos: unknown command "frobnicate" \(commands: serve, lake generate, .*, worker, evidence verify, evidence export, retention explain\)\n$/);
  });

  it('custos --help lists every command, and custos help <command> is that command\'s --help', () => {
    const all = custos('--help');
    expect(all.code).toBe(0);
    for (const c of COMMANDS) expect(all.stdout).toContain(`\n  ${c.spec.name} `);
    const viaHelp = custos('help', 'query', 'run');
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toBe(`${commandHelp(COMMANDS.find((c) => c.spec.name === 'query run')!.spec)}\n`);
  });

  // The command table is the list: a new command gets its --help or this fails.
  it.each(COMMANDS.map((c) => [c.spec.name, c] as const))('%s --help prints its usage, options and an example, exit 0', (name, c) => {
    const { code, stdout, stderr } = custos(...name.split(' '), '--help');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toBe(`${commandHelp(c.spec)}\n`);
    expect(stdout).toMatch(new RegExp(`^usage: custos ${name}`));
    for (const option of Object.keys(c.spec.options)) expect(stdout).toContain(`--${option}`);
    expect(stdout).toMatch(/\nexamples?:\n  \S/);
  });

  it.each([
    [['lake', 'generate', '--days', '3'], /^custos: --days must be a whole number from 5 to 3660 \(got "3"\)$/],
    [['lake', 'generate', '--end', '2026-02-30'], /^custos: --end must be a UTC day YYYY-MM-DD \(got "2026-02-30"\)$/],
    [['lake', 'generate', '--days'], /^custos: --days needs a value: a whole number from 5 to 3660$/],
    [['lake', 'generate', '--bogus'], /^custos: unknown option --bogus; usage: lake generate \[--out DIR\] \[--days N\]/],
    [['lake', 'check', '--lake'], /^custos: --lake needs a value: DIR$/],
    [['query', 'list', '--json=yes'], /^custos: --json takes no value$/],
    [['query', 'run', 'failed-access', '--format', 'xml'], /^custos: --format must be one of table, csv, json \(got "xml"\)$/],
    [['query', 'run', 'failed-access', '--param', 'from'], /^custos: --param must be name=value \(got "from"\)$/],
    [['query', 'run'], /^custos: missing <id>, the saved query to run .*; usage: query run <id>/],
    [['query', 'run', 'failed-access', 'extra'], /^custos: unexpected argument "extra"; usage: query run <id>/],
    [['worker', '--concurrency', '0'], /^custos: --concurrency must be a whole number from 1 to 64 \(got "0"\)$/],
    [['lake'], /^custos: "lake" needs a command: lake generate, lake check, lake compact, lake canary, lake patients$/],
  ])('refuses %j with one line naming the argument and what it allows, exit 2', (args, message) => {
    const { code, stdout, stderr } = custos(...args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.split('\n')).toEqual([expect.stringMatching(message), '']);
  });

  it('stops quietly with exit 0 when nobody reads its output (custos … | head)', async () => {
    const t = truth();
    // enough rows that the CSV outgrows a pipe's 64 KiB buffer, so writes go on after the reader has gone
    expect(t.afterHours.count).toBeGreaterThan(1000);
    const csv = await custosClosingStdout(
      'after-first-chunk',
      'query', 'run', 'after-hours-access', '--param', `from=${t.window.from}`, '--param', `to=${t.window.to}`, '--format', 'csv', '--lake', lake.compacted,
    );
    expect(csv.received).toBeGreaterThan(0);
    expect(csv).toMatchObject({ code: 0, stderr: '' });
    expect(await custosClosingStdout('at-once', 'query', 'list')).toMatchObject({ code: 0, stderr: '' });
    expect(await custosClosingStdout('at-once', 'lake', 'patients', '--lake', lake.compacted, '--json')).toMatchObject({ code: 0, stderr: '' });
  });

  it("lake patients lists the demo lake's planted patients and their MRNs", () => {
    const t = truth();
    const json = custos('lake', 'patients', '--lake', lake.compacted, '--json');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({
      lake: lake.compacted,
      window: t.window,
      patients: t.patients.map((p) => ({ kind: p.kind, mrn: p.mrn, studies: p.studies.length, accesses: p.accesses.length })),
    });
    const text = custos('lake', 'patients', '--lake', lake.compacted);
    expect(text.code).toBe(0);
    const adult = t.patients.find((p) => p.kind === 'adult')!;
    expect(text.stdout).toMatch(new RegExp(`^adult +${adult.mrn} +${adult.studies.length} +${adult.accesses.length}$`, 'm'));
  });

  it('lake patients refuses a lake the generator did not write, even with a truth.json', () => {
    const notDemo = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-not-demo-'));
    try {
      fs.copyFileSync(path.join(lake.compacted, 'truth.json'), path.join(notDemo, 'truth.json'));
      const { code, stdout, stderr } = custos('lake', 'patients', '--lake', notDemo);
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toMatch(/^custos: .* is not the generated demo lake \(it has no _custos\/generation\.json\)/);
      expect(stderr.trim().split('\n')).toHaveLength(1);
    } finally {
      fs.rmSync(notDemo, { recursive: true, force: true });
    }
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
