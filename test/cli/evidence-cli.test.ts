import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Truth } from '@/lib/lake/generate/truth';
import { createLocalSigner } from '@/lib/signer/local-p12';
import { signPdf } from '@/lib/signer/sign-pdf';
import { flipByte, makePdf, nssDatabase, pdfsig } from '@/test/signer/pdf-tools';

// `custos evidence export` and `custos evidence verify` as an auditor scripts them: the JSON shapes,
// the exit codes (0 only for a valid, unmodified, registered PDF) and the reason on stderr.
const lake = inject('testLake');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-evidence-cli-'));
const dataDir = path.join(root, 'data');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function custos(args: string[], input?: string) {
  const result = spawnSync('npm', ['run', '-s', 'custos', '--', ...args], {
    cwd: path.resolve(__dirname, '../..'),
    env: { ...process.env, CUSTOS_DATA_DIR: dataDir, CUSTOS_LAKE_DIR: lake.compacted },
    encoding: 'utf8',
    timeout: 180_000,
    ...(input !== undefined ? { input } : {}),
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const truth = () => JSON.parse(fs.readFileSync(path.join(lake.compacted, 'truth.json'), 'utf8')) as Truth;
const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

const VERIFICATION_KEYS = ['valid', 'unmodified', 'registered', 'evidenceId', 'kind', 'subject', 'signer', 'createdAt', 'createdBy', 'reason'];

describe('custos evidence', () => {
  let runId: string;
  let report: string;
  let nss: string;

  beforeAll(() => {
    nss = nssDatabase(path.join(root, 'nss'));
    const t = truth();
    const run = custos(['query', 'run', 'failed-access', '--param', `from=${t.window.from}`, '--param', `to=${t.window.to}`, '--format', 'json']);
    expect(run.code, run.stderr).toBe(0);
    runId = (JSON.parse(run.stdout) as { runId: string }).runId;
    report = path.join(root, 'failed-access.pdf');
  });

  it('export --json writes a new owner-only PDF and prints {"evidenceId","sha256","file"}', () => {
    const { code, stdout, stderr } = custos(['evidence', 'export', '--run', runId, '--out', report, '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const printed = JSON.parse(stdout) as Record<string, string>;
    expect(Object.keys(printed)).toEqual(['evidenceId', 'sha256', 'file']);
    expect(printed.evidenceId).toMatch(/^EV-\d{4}-[0-9A-Z]{8}$/);
    expect(printed.file).toBe(report);
    expect(printed.sha256).toBe(sha256(report));
    expect(fs.statSync(report).mode & 0o777).toBe(0o600);
    const signature = pdfsig(report, nss);
    expect(signature).toContain('- Signature Validation: Signature is Valid.');
    expect(signature).toContain('- Total document signed');
  });

  it('verify exits 0 for the registered PDF, with the documented JSON', () => {
    const { code, stdout, stderr } = custos(['evidence', 'verify', report, '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as Record<string, unknown>;
    expect(Object.keys(result)).toEqual(VERIFICATION_KEYS);
    expect(result).toMatchObject({
      valid: true,
      unmodified: true,
      registered: true,
      kind: 'query-run',
      subject: { type: 'run', runId, queryId: 'failed-access' },
      signer: { fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/), subject: expect.stringContaining('CN=Custos evidence signer') },
      createdBy: expect.stringContaining('(command line)'),
      reason: null,
    });
    const text = custos(['evidence', 'verify', report]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/Registered\s+yes — EV-/);
  });

  it('verify exits 1 with the reason for one flipped byte, and pdfsig reports the mismatch', () => {
    const pdf = fs.readFileSync(report);
    const tampered = path.join(root, 'tampered.pdf');
    fs.writeFileSync(tampered, flipByte(pdf, Math.floor(pdf.length / 3)));
    const { code, stdout, stderr } = custos(['evidence', 'verify', tampered, '--json']);
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({ valid: false, unmodified: false, registered: false, evidenceId: null });
    expect(stderr).toMatch(/^Not verified: .*message digest does not match/);
    expect(pdfsig(tampered, nss)).toContain('- Signature Validation: Digest Mismatch.');
  });

  it('verify exits 1 "not registered" for a PDF signed with the same key but never registered', async () => {
    const stray = path.join(root, 'stray.pdf');
    const signer = createLocalSigner({ dir: path.join(dataDir, 'signer'), installation: 'unused' });
    fs.writeFileSync(stray, await signPdf(await makePdf(), signer, { reason: 'not evidence' }));
    const { code, stdout, stderr } = custos(['evidence', 'verify', stray, '--json']);
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({ valid: true, unmodified: true, registered: false });
    expect(stderr).toMatch(/not registered/);
  });

  it('export --patient makes the patient access report of a patient run', () => {
    const t = truth();
    const patient = t.patients.find((p) => p.kind === 'adult')!;
    const access = custos(['query', 'run', 'patient-access-history', '--param', 'patient=-', '--param', `from=${t.window.from}`, '--param', `to=${t.window.to}`, '--format', 'json'], `${patient.mrn}\n`);
    expect(access.code, access.stderr).toBe(0);
    expect(custos(['query', 'run', 'patient-studies', '--param', 'patient=-', '--format', 'json'], `${patient.mrn}\n`).code).toBe(0);
    const file = path.join(root, 'patient.pdf');
    const exported = custos(['evidence', 'export', '--run', (JSON.parse(access.stdout) as { runId: string }).runId, '--patient', '--out', file, '--json']);
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    const verified = custos(['evidence', 'verify', file, '--json']);
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ registered: true, kind: 'patient-access', subject: { type: 'patient', patient: expect.stringMatching(/^P-/) } });
    expect(fs.readFileSync(file).toString('latin1')).not.toContain(patient.mrn);
  });

  it('refuses an existing --out, a missing file and a run that does not exist, in one line each', () => {
    const exists = custos(['evidence', 'export', '--run', runId, '--out', report]);
    expect(exists.code).toBe(1);
    expect(exists.stderr).toMatch(/already exists/);
    const missing = custos(['evidence', 'verify', path.join(root, 'nope.pdf')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read/);
    const unknown = custos(['evidence', 'export', '--run', '00000000-0000-4000-8000-000000000000', '--out', path.join(root, 'x.pdf')]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/run was not found/);
    for (const r of [exists, missing, unknown]) expect(r.stderr).not.toMatch(/\n\s+at /);
    const usage = custos(['evidence', 'export', '--out', path.join(root, 'y.pdf')]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/name one report: --run RUN_ID/);
    expect(custos(['evidence', 'export', '--run', runId, '--posture', '--from', '2026-10-01', '--to', '2026-10-02', '--out', path.join(root, 'y.pdf')]).code).toBe(2);
    expect(custos(['evidence', 'export', '--posture', '--from', '2026-10-01', '--out', path.join(root, 'y.pdf')]).stderr).toMatch(/--posture needs --from and --to/);
  });

  it('export --posture makes nothing for a window whose dashboards were never refreshed, and says so', () => {
    const t = truth();
    const { code, stdout, stderr } = custos(['evidence', 'export', '--posture', '--from', t.window.from, '--to', t.window.to, '--out', path.join(root, 'posture.pdf')]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^custos: No refresh of the posture figures for .* has finished: refresh the dashboards for this window first\.\n$/);
    expect(fs.existsSync(path.join(root, 'posture.pdf'))).toBe(false);
  });
});
