// One output folder (account × Region), day by day: each digest in the window is checked
// (signature, chain link, listed log files), then each day's log folder for unlisted files.
// Only the last digest of each trail's chain is kept, so memory does not grow with the window.
import { addDays, daysBetween, nextDay } from '@/lib/days';
import { parseCloudTrailDigestKey, parseCloudTrailLogKey } from '@/lib/lake/layout';
import { contentSha256, loadDigest, type LoadedDigest, type LogFileEntry } from './digest-file';
import type { KeyRing } from './key-ring';
import { compactTimeMs, digestKeyEndingAt } from './keys';
import type { TrailObjectStore, TrailOutput } from './port';
import { HOUR_MS, hoursOf, type IntegrityProblem, type ProblemKind } from './report';
import { UnlistedLogs } from './unlisted-logs';

export type IntegrityWindow = { from: string; to: string; startMs: number; endMs: number };

export type Tally = {
  digests: { checked: number; valid: number };
  logFiles: { checked: number; valid: number };
  problems: IntegrityProblem[];
};

export type OutputRun = { store: TrailObjectStore; keys: KeyRing; window: IntegrityWindow; tally: Tally };

/** The last digest of a chain seen so far: what its successor's previousDigest* must name. */
type Link = { key: string; end: number; sha256: string | null; signature: string | null; verified: boolean };
type Chain = { last: Link | null; done: boolean };

const LOG_CONCURRENCY = 8;
// How far past the window to look for each chain's next digest (about six weeks of one chain).
const LOOKAHEAD_KEYS = 1000;

async function forEachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function timeOr(text: string | null | undefined, fallback: number): number {
  const ms = text ? Date.parse(text) : Number.NaN;
  return Number.isNaN(ms) ? fallback : ms;
}

export async function validateOutput(run: OutputRun, output: TrailOutput): Promise<void> {
  const { store, keys, window: w, tally } = run;
  const chains = new Map<string, Chain>();
  const logs = new UnlistedLogs(daysBetween(w.from, w.to));

  const problem = (kind: ProblemKind, file: string, start: number, end: number): void => {
    tally.problems.push(hoursOf(kind, file, start, end));
  };

  const chainOf = (key: string): Chain | null => {
    const parsed = parseCloudTrailDigestKey(key);
    if (!parsed) return null;
    const id = `${parsed.trailName}\t${parsed.homeRegion}`;
    let chain = chains.get(id);
    if (!chain) chains.set(id, (chain = { last: null, done: false }));
    return chain;
  };

  const windowOf = (digest: LoadedDigest) => {
    const keyEnd = compactTimeMs(parseCloudTrailDigestKey(digest.key)?.digestEnd ?? '');
    const end = timeOr(digest.json?.digestEndTime, keyEnd);
    return { start: timeOr(digest.json?.digestStartTime, end - HOUR_MS), end };
  };

  const linkOf = async (digest: LoadedDigest): Promise<Link> => ({
    key: digest.key,
    end: windowOf(digest).end,
    sha256: digest.sha256,
    signature: digest.metadata.signature ?? null,
    verified: (await keys.verdict(digest, output.region)) === 'valid',
  });

  /**
   * The digests between `last` (or the window start) and a successor that names a missing
   * previous digest: one per hour, the named one first, each reported where it meets the window.
   */
  const reportMissing = (last: Link | null, namedKey: string, successorStart: number) => {
    const a = last ? last.end : Number.NEGATIVE_INFINITY;
    const count = last ? Math.max(1, Math.round((successorStart - a) / HOUR_MS)) : Number.POSITIVE_INFINITY;
    for (let i = 1; i <= count; i++) {
      const end = successorStart - (i - 1) * HOUR_MS;
      if (end <= w.startMs) break;
      const start = i === count && a < end ? a : end - HOUR_MS;
      if (start < w.endMs) problem('missing-digest', i === 1 ? namedKey : digestKeyEndingAt(namedKey, end), start, end);
    }
    logs.gap(a, successorStart);
  };

  /** True when the digest's previousDigest* fields match the previous digest actually present. */
  const linkHolds = async (chain: Chain, digest: LoadedDigest & { json: NonNullable<LoadedDigest['json']> }, start: number) => {
    const { json } = digest;
    const prevKey = json.previousDigestS3Object;
    // A chain (re)starts when logging or validation is turned (back) on; the time before it is a
    // coverage gap (the coverage query reports it), not a break CloudTrail's signatures can show.
    if (prevKey === null) return true;
    // A trail moved to another bucket: its old digests are out of reach.
    if (store.bucket !== null && json.previousDigestS3Bucket !== null && json.previousDigestS3Bucket !== store.bucket) return true;
    let previous = chain.last?.key === prevKey ? chain.last : null;
    if (!previous) {
      const object = await store.get(prevKey);
      if (!object) {
        // A link into a gap is reported as the gap (missing-digest), not also as a broken chain.
        reportMissing(chain.last, prevKey, start);
        return true;
      }
      previous = await linkOf(await loadDigest(prevKey, object));
    }
    const sameHash = previous.sha256 !== null && json.previousDigestHashValue?.toLowerCase() === previous.sha256;
    // A previous digest whose own signature fails is reported as such; its link is judged by content.
    const sameSignature = !previous.verified || json.previousDigestSignature?.toLowerCase() === previous.signature?.toLowerCase();
    return sameHash && sameSignature;
  };

  const checkLog = async (entry: LogFileEntry) => {
    tally.logFiles.checked++;
    const keyTime = compactTimeMs(parseCloudTrailLogKey(entry.s3Object)?.deliveredAt ?? '');
    const oldest = timeOr(entry.oldestEventTime, keyTime);
    const newest = timeOr(entry.newestEventTime, oldest);
    const object = await store.get(entry.s3Object);
    if (!object) return problem('missing-log', entry.s3Object, oldest, newest + 1);
    const sha256 = await contentSha256(object);
    if (sha256 === null || sha256 !== entry.hashValue.toLowerCase()) return problem('altered-log', entry.s3Object, oldest, newest + 1);
    tally.logFiles.valid++;
  };

  const checkDigest = async (chain: Chain, digest: LoadedDigest, start: number, end: number) => {
    tally.digests.checked++;
    const before = tally.problems.length;
    const flag = (kind: ProblemKind) => problem(kind, digest.key, start, end);
    const verdict = await keys.verdict(digest, output.region);
    const { json } = digest;
    const moved = json !== null && (json.digestS3Object !== digest.key || (store.bucket !== null && json.digestS3Bucket !== store.bucket));
    if (verdict !== 'valid') flag(verdict);
    else if (moved) flag('bad-signature');
    if (json) {
      if (!(await linkHolds(chain, { ...digest, json }, start))) flag('broken-chain');
      logs.listedBy(json);
      await forEachLimited(json.logFiles, LOG_CONCURRENCY, checkLog);
    }
    chain.last = { key: digest.key, end, sha256: digest.sha256, signature: digest.metadata.signature ?? null, verified: verdict === 'valid' && !moved };
    if (tally.problems.slice(before).every((p) => p.file !== digest.key)) tally.digests.valid++;
  };

  /** The first digest of a chain past the window: does it show digests missing before it? */
  const resolveSuccessor = async (chain: Chain, digest: LoadedDigest, start: number) => {
    chain.done = true;
    const prevKey = digest.json?.previousDigestS3Object ?? null;
    if (prevKey === null || chain.last?.key === prevKey) return;
    if (store.bucket !== null && digest.json?.previousDigestS3Bucket !== store.bucket) return;
    if ((await store.head(prevKey)) === null) reportMissing(chain.last, prevKey, start);
  };

  const visitDigest = async (key: string) => {
    const chain = chainOf(key);
    if (!chain || chain.done) return;
    const object = await store.get(key);
    if (!object) return;
    const digest = await loadDigest(key, object);
    const { start, end } = windowOf(digest);
    if (start >= w.endMs) {
      if (digest.json) logs.listedBy(digest.json);
      await resolveSuccessor(chain, digest, start);
    } else if (end <= w.startMs) chain.last = await linkOf(digest);
    else await checkDigest(chain, digest, start, end);
  };

  const days = daysBetween(w.from, nextDay(w.to));
  for (const [i, day] of days.entries()) {
    for await (const key of store.listDigests(output, day)) await visitDigest(key);
    if (i > 0) await logs.scan(days[i - 1]!, store.listLogs(output, days[i - 1]!));
  }

  // Chains still open at the window's end: their next digest tells a stop from deleted digests.
  const open = () => chains.size === 0 || [...chains.values()].some((c) => !c.done);
  if (open()) {
    let scanned = 0;
    let firstFolder: string | null = null;
    for await (const key of store.digestsFrom(output, addDays(w.to, 2))) {
      const folder = parseCloudTrailDigestKey(key)?.day ?? '';
      if (++scanned > LOOKAHEAD_KEYS || (firstFolder !== null && folder > firstFolder && !open())) break;
      const chain = chainOf(key);
      if (!chain || chain.done) continue;
      firstFolder ??= folder;
      const object = await store.get(key);
      if (!object) continue;
      const digest = await loadDigest(key, object);
      await resolveSuccessor(chain, digest, windowOf(digest).start);
    }
  }

  for (const c of logs.unlisted()) {
    tally.logFiles.checked++;
    problem('unlisted-log', c.key, c.at, c.at + 1);
  }
}
