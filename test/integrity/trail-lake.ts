// A small generated lake's CloudTrail files, read back plainly (no lib/integrity code), copied
// per case so each case can alter, delete or add objects.
import { createHash, sign, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { generateLake } from '@/lib/lake/generate';
import { DEFAULT_LAYOUT, parseCloudTrailDigestKey, parseCloudTrailLogKey } from '@/lib/lake/layout';

export const TRAIL_LAKE = { days: 5, eventsPerDay: 400, seed: 11, end: '2026-10-31' } as const;
/** The lake's days, and the day after them that holds only late deliveries. */
export const LAKE_FROM = '2026-10-27';
export const LAKE_AFTER = '2026-11-01';
export const IMAGING = '210987654321';
export const ANALYTICS = '345678901234';

const HOUR = 3_600_000;

export type DigestDoc = {
  digestStartTime: string;
  digestEndTime: string;
  digestS3Bucket: string;
  digestS3Object: string;
  digestPublicKeyFingerprint: string;
  previousDigestS3Object: string | null;
  previousDigestHashValue: string | null;
  previousDigestSignature: string | null;
  logFiles: { s3Object: string; hashValue: string; oldestEventTime: string; newestEventTime: string }[];
  [field: string]: unknown;
};

export type DigestInfo = { key: string; account: string; region: string; start: number; end: number; doc: DigestDoc };

export async function generateTrailLake(dir: string): Promise<void> {
  await generateLake({ outDir: dir, layout: DEFAULT_LAYOUT, ...TRAIL_LAKE });
}

/** The CloudTrail part of a lake (log and digest objects, sidecars, recorded public keys). */
export function copyTrail(from: string, to: string): string {
  fs.cpSync(path.join(from, 'AWSLogs'), path.join(to, 'AWSLogs'), { recursive: true });
  fs.cpSync(path.join(from, '_custos/cloudtrail-public-keys'), path.join(to, '_custos/cloudtrail-public-keys'), { recursive: true });
  return to;
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

export function readTrail(dir: string): { digests: DigestInfo[]; logs: string[] } {
  const keys = walk(path.join(dir, 'AWSLogs')).map((f) => path.relative(dir, f).split(path.sep).join('/'));
  const digests = keys
    .filter((k) => parseCloudTrailDigestKey(k))
    .map((key) => {
      const doc = JSON.parse(zlib.gunzipSync(fs.readFileSync(path.join(dir, key))).toString('utf8')) as DigestDoc;
      const parsed = parseCloudTrailDigestKey(key)!;
      return { key, account: parsed.account, region: parsed.region, start: Date.parse(doc.digestStartTime), end: Date.parse(doc.digestEndTime), doc };
    })
    .sort((a, b) => a.account.localeCompare(b.account) || a.region.localeCompare(b.region) || a.end - b.end);
  return { digests, logs: keys.filter((k) => parseCloudTrailLogKey(k)).sort() };
}

export function chain(digests: DigestInfo[], account: string, region: string): DigestInfo[] {
  return digests.filter((d) => d.account === account && d.region === region);
}

/** Digests whose delivery window meets the UTC days [from, to]. */
export function digestsIn(digests: DigestInfo[], from: string, to: string): DigestInfo[] {
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`) + 24 * HOUR;
  return digests.filter((d) => d.start < end && d.end > start);
}

export function listedIn(digests: DigestInfo[]): number {
  return digests.reduce((n, d) => n + d.doc.logFiles.length, 0);
}

const hourText = (ms: number) => `${new Date(Math.floor(ms / HOUR) * HOUR).toISOString().slice(0, 13)}:00:00Z`;

/** A digest's problem hours: its window, widened to whole hours. */
export function digestHours(d: { start: number; end: number }) {
  return { from: hourText(d.start), to: hourText(Math.ceil(d.end / HOUR) * HOUR) };
}

/** A listed log file's problem hours: those of its oldest to newest event. */
export function logHours(entry: { oldestEventTime: string; newestEventTime: string }) {
  return { from: hourText(Date.parse(entry.oldestEventTime)), to: hourText(Date.parse(entry.newestEventTime) + HOUR) };
}

/** Writes a digest object and its metadata sidecar, signed over the §7.3 string with `key`. */
export function writeDigest(dir: string, key: string, doc: DigestDoc, signer: KeyObject): void {
  const body = Buffer.from(JSON.stringify(doc));
  const sha256 = createHash('sha256').update(body).digest('hex');
  const toSign = `${doc.digestEndTime}\n${doc.digestS3Bucket}/${doc.digestS3Object}\n${sha256}\n${doc.previousDigestSignature ?? 'null'}`;
  const signature = sign('sha256', Buffer.from(toSign, 'utf8'), signer).toString('hex');
  fs.writeFileSync(path.join(dir, key), zlib.gzipSync(body));
  fs.writeFileSync(path.join(dir, `${key}.metadata.json`), JSON.stringify({ signature, 'signature-algorithm': 'SHA256withRSA' }));
}

export function removeDigest(dir: string, key: string): void {
  fs.rmSync(path.join(dir, key));
  fs.rmSync(path.join(dir, `${key}.metadata.json`));
}
