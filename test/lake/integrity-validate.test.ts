import { createHash, generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localIntegritySources } from '@/lib/integrity/local-lake';
import { generateLake } from '@/lib/lake/generate';
import { validateTrailIntegrity, type IntegrityOptions } from '@/lib/integrity/validate-digests';
import { regionKey } from '@/lib/lake/generate/rsa-keys';
import { DEFAULT_LAYOUT } from '@/lib/lake/layout';
import {
  ANALYTICS,
  chain,
  copyTrail,
  digestHours,
  digestsIn,
  generateTrailLake,
  IMAGING,
  LAKE_AFTER,
  LAKE_FROM,
  listedIn,
  logHours,
  readTrail,
  removeDigest,
  TRAIL_LAKE,
  writeDigest,
  type DigestInfo,
} from '@/test/integrity/trail-lake';

// CloudTrail integrity over a generated lake: clean, then one alteration per case on a copy.
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-integrity-'));
const base = path.join(root, 'base');
let trail: ReturnType<typeof readTrail>;
let copies = 0;

beforeAll(async () => {
  await generateTrailLake(base);
  trail = readTrail(base);
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const FULL = { from: LAKE_FROM, to: LAKE_AFTER };
const MIDDLE = { from: '2026-10-28', to: '2026-10-29' };
const HOUR = 3_600_000;

function copy(): string {
  return copyTrail(base, path.join(root, `case-${++copies}`));
}

function validate(dir: string, options: IntegrityOptions) {
  return validateTrailIntegrity(localIntegritySources({ dir, layout: DEFAULT_LAYOUT }), options);
}

function expectedCounts(digests: DigestInfo[]) {
  return { digests: { checked: digests.length, valid: digests.length }, logFiles: { checked: listedIn(digests), valid: listedIn(digests) } };
}

/** A digest of the chain near `iso` (the first ending after it). */
function digestAfter(digests: DigestInfo[], iso: string): DigestInfo {
  return digests.find((d) => d.end > Date.parse(iso))!;
}

describe('validateTrailIntegrity on a clean generated lake', () => {
  it('validates every digest and log file of the whole lake, with exact counts', async () => {
    const report = await validate(base, FULL);
    expect(report).toEqual({
      ...FULL,
      regions: ['us-east-1', 'us-west-2'],
      digests: { checked: trail.digests.length, valid: trail.digests.length },
      logFiles: { checked: trail.logs.length, valid: trail.logs.length },
      problems: [],
      ok: true,
    });
    expect(listedIn(trail.digests)).toBe(trail.logs.length);
  });

  it('does not report the planted logging stop: the chain restarts (previousDigest* null) after hours with no digest', async () => {
    const east = chain(trail.digests, IMAGING, 'us-east-1');
    const restart = east.findIndex((d, i) => i > 0 && d.doc.previousDigestS3Object === null);
    expect(restart).toBeGreaterThan(0);
    expect(east[restart]!.start - east[restart - 1]!.end).toBeGreaterThan(2 * HOUR);
    const day = new Date(east[restart]!.start).toISOString().slice(0, 10);
    const report = await validate(base, { from: day, to: day, regions: ['us-east-1'] });
    expect(report.problems).toEqual([]);
    expect(report.digests.checked).toBe(digestsIn(trail.digests.filter((d) => d.region === 'us-east-1'), day, day).length);
  });

  it('counts exactly the digests whose window meets a partial window, and their log files', async () => {
    const report = await validate(base, MIDDLE);
    expect(report).toMatchObject({ ...MIDDLE, ...expectedCounts(digestsIn(trail.digests, MIDDLE.from, MIDDLE.to)), problems: [], ok: true });
  });

  it('keeps to the Regions asked for', async () => {
    const report = await validate(base, { ...MIDDLE, regions: ['us-west-2'] });
    const west = digestsIn(trail.digests.filter((d) => d.region === 'us-west-2'), MIDDLE.from, MIDDLE.to);
    expect(report).toMatchObject({ regions: ['us-west-2'], ...expectedCounts(west), ok: true });
    expect(await validate(base, { ...MIDDLE, regions: ['eu-west-1'] })).toMatchObject({ regions: ['eu-west-1'], digests: { checked: 0 }, ok: true });
  });

  it('keeps to the accounts asked for', async () => {
    const analytics = digestsIn(trail.digests.filter((d) => d.account === ANALYTICS), MIDDLE.from, MIDDLE.to);
    expect(await validate(base, { ...MIDDLE, accounts: [ANALYTICS] })).toMatchObject({ ...expectedCounts(analytics), ok: true });
    await expect(validate(base, { ...MIDDLE, accounts: ['analytics'] })).rejects.toThrow(/Account: expected a 12-digit AWS account id/);
  });

  it('finds the trail under a CloudTrail prefix, and nothing where there is none', async () => {
    const layout = { ...DEFAULT_LAYOUT, cloudtrailPrefix: 'cloudtrail/' };
    const dir = path.join(root, 'prefixed');
    await generateLake({ outDir: dir, layout, days: 5, eventsPerDay: 400, seed: 5, end: '2026-10-31' });
    const report = await validateTrailIntegrity(localIntegritySources({ dir, layout }), MIDDLE);
    expect(report).toMatchObject({ regions: ['us-east-1', 'us-west-2'], problems: [], ok: true });
    expect(report.digests.checked).toBeGreaterThan(4 * 2 * 20);
    expect(await validateTrailIntegrity(localIntegritySources({ dir, layout: DEFAULT_LAYOUT }), MIDDLE)).toMatchObject({
      regions: [],
      digests: { checked: 0 },
      logFiles: { checked: 0 },
    });
  });

  it('refuses a window whose end is before its start', async () => {
    await expect(validate(base, { from: '2026-10-29', to: '2026-10-28' })).rejects.toThrow(/To: must be on or after From/);
  });
});

describe('validateTrailIntegrity finds what was done to the files', () => {
  const west = () => chain(trail.digests, IMAGING, 'us-west-2');
  const middleCounts = () => expectedCounts(digestsIn(trail.digests, MIDDLE.from, MIDDLE.to));

  it('an altered log file (one byte flipped, re-gzipped): exactly one altered-log naming the file and its hours', async () => {
    const dir = copy();
    const digest = digestAfter(west(), '2026-10-29T10:00:00Z');
    const entry = digest.doc.logFiles[0]!;
    const file = path.join(dir, entry.s3Object);
    const text = zlib.gunzipSync(fs.readFileSync(file));
    text[text.length >> 1] = text[text.length >> 1]! ^ 0x01;
    fs.writeFileSync(file, zlib.gzipSync(text));

    const report = await validate(dir, MIDDLE);
    const counts = middleCounts();
    expect(report.problems).toEqual([{ kind: 'altered-log', file: entry.s3Object, ...logHours(entry) }]);
    expect(report).toMatchObject({ digests: counts.digests, logFiles: { checked: counts.logFiles.checked, valid: counts.logFiles.checked - 1 }, ok: false });
  });

  it('a deleted log file: missing-log', async () => {
    const dir = copy();
    const entry = digestAfter(west(), '2026-10-28T15:00:00Z').doc.logFiles.at(-1)!;
    fs.rmSync(path.join(dir, entry.s3Object));
    const report = await validate(dir, MIDDLE);
    expect(report.problems).toEqual([{ kind: 'missing-log', file: entry.s3Object, ...logHours(entry) }]);
    expect(report.logFiles.valid).toBe(middleCounts().logFiles.checked - 1);
  });

  it('two consecutive deleted digests across midnight: two missing-digest with their hours, no broken chain, no unlisted logs', async () => {
    const dir = copy();
    const chainDigests = west();
    const i = chainDigests.findIndex((d) => d.end > Date.parse('2026-10-29T00:00:00Z'));
    const gone = [chainDigests[i - 1]!, chainDigests[i]!];
    expect(new Date(gone[0]!.end).toISOString().slice(0, 10)).toBe('2026-10-28');
    for (const d of gone) removeDigest(dir, d.key);

    const report = await validate(dir, MIDDLE);
    expect(report.problems).toEqual(gone.map((d) => ({ kind: 'missing-digest', file: d.key, ...digestHours(d) })));
    const counts = middleCounts();
    expect(report.digests).toEqual({ checked: counts.digests.checked - 2, valid: counts.digests.checked - 2 });
    expect(report.logFiles.checked).toBe(counts.logFiles.checked - listedIn(gone));
  });

  it("digests missing up to the window's end: found from the chain's next digest past the window", async () => {
    const dir = copy();
    const chainDigests = chain(trail.digests, ANALYTICS, 'us-west-2');
    const gone = chainDigests.filter((d) => d.end > Date.parse('2026-10-29T20:00:00Z') && d.end < Date.parse('2026-10-31T00:00:00Z'));
    expect(gone.length).toBeGreaterThan(24);
    for (const d of gone) removeDigest(dir, d.key);

    const report = await validate(dir, MIDDLE);
    const inWindow = gone.filter((d) => d.start < Date.parse('2026-10-30T00:00:00Z'));
    expect(report.problems).toEqual(inWindow.map((d) => ({ kind: 'missing-digest', file: d.key, ...digestHours(d) })));
    expect(report.digests.checked).toBe(middleCounts().digests.checked - inWindow.length);
  });

  it('a digest whose previousDigestHashValue does not match its predecessor (re-signed): broken-chain', async () => {
    const dir = copy();
    const last = west().at(-1)!;
    writeDigest(dir, last.key, { ...last.doc, previousDigestHashValue: createHash('sha256').update('another digest').digest('hex') }, regionKey(TRAIL_LAKE.seed, 'us-west-2').privateKey);
    const report = await validate(dir, FULL);
    expect(report.problems).toEqual([{ kind: 'broken-chain', file: last.key, ...digestHours(last) }]);
    expect(report.digests).toEqual({ checked: trail.digests.length, valid: trail.digests.length - 1 });
  });

  it('a digest signed with a key CloudTrail never published: unknown-key', async () => {
    const dir = copy();
    const last = chain(trail.digests, ANALYTICS, 'us-west-2').at(-1)!;
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const fingerprint = createHash('md5').update(publicKey.export({ format: 'der', type: 'pkcs1' })).digest('hex');
    writeDigest(dir, last.key, { ...last.doc, digestPublicKeyFingerprint: fingerprint }, privateKey);
    const report = await validate(dir, FULL);
    expect(report.problems).toEqual([{ kind: 'unknown-key', file: last.key, ...digestHours(last) }]);
  });

  it('a signature that does not verify, and a digest without one: bad-signature each, the chain still holds by content', async () => {
    const dir = copy();
    const chainDigests = chain(trail.digests, ANALYTICS, 'us-west-2');
    const flipped = digestAfter(chainDigests, '2026-10-28T12:00:00Z');
    const unsigned = digestAfter(chainDigests, '2026-10-29T07:00:00Z');
    const sidecar = path.join(dir, `${flipped.key}.metadata.json`);
    const meta = JSON.parse(fs.readFileSync(sidecar, 'utf8')) as { signature: string };
    meta.signature = `${meta.signature[0] === 'a' ? 'b' : 'a'}${meta.signature.slice(1)}`;
    fs.writeFileSync(sidecar, JSON.stringify(meta));
    fs.rmSync(path.join(dir, `${unsigned.key}.metadata.json`));

    const report = await validate(dir, MIDDLE);
    expect(report.problems).toEqual([
      { kind: 'bad-signature', file: flipped.key, ...digestHours(flipped) },
      { kind: 'bad-signature', file: unsigned.key, ...digestHours(unsigned) },
    ]);
    expect(report.digests.valid).toBe(middleCounts().digests.checked - 2);
    expect(report.logFiles).toEqual(middleCounts().logFiles);
  });

  it('a digest whose content was changed and not re-signed: bad-signature, and its successor no longer links to it', async () => {
    const dir = copy();
    const chainDigests = west();
    const i = chainDigests.findIndex((d) => d.end > Date.parse('2026-10-28T09:00:00Z'));
    const [altered, next] = [chainDigests[i]!, chainDigests[i + 1]!];
    const file = path.join(dir, altered.key);
    fs.writeFileSync(file, zlib.gzipSync(Buffer.from(JSON.stringify({ ...altered.doc, logFiles: altered.doc.logFiles.slice(1) }))));
    const report = await validate(dir, MIDDLE);
    expect(report.problems).toEqual([
      { kind: 'bad-signature', file: altered.key, ...digestHours(altered) },
      { kind: 'broken-chain', file: next.key, ...digestHours(next) },
      { kind: 'unlisted-log', file: altered.doc.logFiles[0]!.s3Object, ...deliveryHours(altered.doc.logFiles[0]!.s3Object) },
    ].sort((a, b) => a.from.localeCompare(b.from) || a.file.localeCompare(b.file)));
  });

  it('a log file no digest lists: unlisted-log with its delivery hour', async () => {
    const dir = copy();
    const entry = digestAfter(west(), '2026-10-29T16:00:00Z').doc.logFiles[0]!;
    const extra = entry.s3Object.replace(/_\d{8}T(\d{2})\d{2}Z_[A-Za-z0-9]{16}\.json\.gz$/, '_20261029T$137Z_Zz9Yy8Xx7Ww6Vv5U.json.gz');
    expect(extra).not.toBe(entry.s3Object);
    fs.copyFileSync(path.join(dir, entry.s3Object), path.join(dir, extra));
    const report = await validate(dir, MIDDLE);
    expect(report.problems).toEqual([{ kind: 'unlisted-log', file: extra, ...deliveryHours(extra) }]);
    expect(report.logFiles).toEqual({ checked: middleCounts().logFiles.checked + 1, valid: middleCounts().logFiles.checked });
  });
});

function deliveryHours(key: string) {
  const m = /_(\d{4})(\d{2})(\d{2})T(\d{2})\d{2}Z_[A-Za-z0-9]{16}\.json\.gz$/.exec(key)!;
  const from = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]));
  return { from: new Date(from).toISOString().replace('.000', ''), to: new Date(from + HOUR).toISOString().replace('.000', '') };
}
