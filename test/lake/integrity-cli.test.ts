import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chain, copyTrail, digestsIn, generateTrailLake, IMAGING, listedIn, logHours, readTrail } from '@/test/integrity/trail-lake';

// `custos integrity validate` as users script it: its JSON shape, its summary and its exit codes.
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-integrity-cli-'));
const lake = path.join(root, 'lake');
const tampered = path.join(root, 'tampered');
const WINDOW = ['--from', '2026-10-28', '--to', '2026-10-29'];
let trail: ReturnType<typeof readTrail>;
let deleted: { s3Object: string; oldestEventTime: string; newestEventTime: string };

beforeAll(async () => {
  await generateTrailLake(lake);
  trail = readTrail(lake);
  copyTrail(lake, tampered);
  deleted = chain(trail.digests, IMAGING, 'us-west-2').find((d) => d.end > Date.parse('2026-10-29T12:00:00Z'))!.doc.logFiles[0]!;
  fs.rmSync(path.join(tampered, deleted.s3Object));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function custos(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync('npm', ['run', '-s', 'custos', '--', 'integrity', 'validate', ...args], {
    cwd: path.resolve(__dirname, '../..'),
    env: { ...process.env, CUSTOS_DATA_DIR: path.join(root, 'data'), ...env },
    encoding: 'utf8',
    timeout: 180_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('custos integrity validate', () => {
  it('--json prints the report (stable shape) and exits 0 on an intact lake', () => {
    const { code, stdout, stderr } = custos([...WINDOW, '--lake', lake, '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(Object.keys(report)).toEqual(['from', 'to', 'regions', 'digests', 'logFiles', 'problems', 'ok']);
    const inWindow = digestsIn(trail.digests, '2026-10-28', '2026-10-29');
    expect(report).toEqual({
      from: '2026-10-28',
      to: '2026-10-29',
      regions: ['us-east-1', 'us-west-2'],
      digests: { checked: inWindow.length, valid: inWindow.length },
      logFiles: { checked: listedIn(inWindow), valid: listedIn(inWindow) },
      problems: [],
      ok: true,
    });
  });

  it('reads the configured lake (CUSTOS_LAKE_DIR) without --lake, and prints a summary without --json', () => {
    const { code, stdout } = custos([...WINDOW, '--region', 'us-west-2'], { CUSTOS_LAKE_DIR: lake });
    expect(code).toBe(0);
    const west = digestsIn(trail.digests.filter((d) => d.region === 'us-west-2'), '2026-10-28', '2026-10-29');
    expect(stdout.trim().split('\n')).toEqual([
      'CloudTrail integrity 2026-10-28 to 2026-10-29 (us-west-2)',
      `Digest files: ${west.length}/${west.length} valid`,
      `Log files: ${listedIn(west)}/${listedIn(west)} valid`,
      'Intact: no problems found.',
    ]);
  });

  it('exits 1 and names the problem, its hours and its file', () => {
    const json = custos([...WINDOW, '--lake', tampered, '--json']);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([{ kind: 'missing-log', file: deleted.s3Object, ...logHours(deleted) }]);

    const text = custos([...WINDOW, '--lake', tampered]);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('1 problem:');
    expect(text.stdout).toContain(`missing-log    ${logHours(deleted).from} to ${logHours(deleted).to}  ${deleted.s3Object}`);
  });

  it.each([
    [['--from', '2026-13-01', '--to', '2026-10-29'], /^custos: --from must be a UTC day YYYY-MM-DD \(got "2026-13-01"\)$/],
    [['--from', '2026-10-28'], /^custos: --to is required: a UTC day YYYY-MM-DD$/],
    [['--from', '2026-10-29', '--to', '2026-10-28'], /^custos: --to must be on or after --from$/],
    [[...WINDOW, '--region', 'US-EAST'], /^custos: --region must be a Region name such as us-east-1 \(got "US-EAST"\)$/],
    [[...WINDOW, '--frobnicate'], /^custos: unknown option --frobnicate; usage: integrity validate --from YYYY-MM-DD --to YYYY-MM-DD/],
    [[...WINDOW, '--lake', path.join(os.tmpdir(), 'custos-no-such-lake')], /^custos: --lake: the directory .*custos-no-such-lake does not exist$/],
  ])('refuses bad arguments with one line naming the argument, exit 2 (%j)', (args, message) => {
    const { code, stdout, stderr } = custos(args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr.trim()).toMatch(message);
  });
});
