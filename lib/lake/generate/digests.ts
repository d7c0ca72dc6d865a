// CloudTrail digest files (aws-formats.md §7): hourly per account and Region, each listing the log
// files delivered in its window with their SHA-256, chained to the previous digest and signed
// (SHA256withRSA over the §7.3 string). The signature goes to the S3-metadata sidecar.
import { createHash, sign } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import { cloudTrailDigestKey, objectMetadataSidecar } from '@/lib/lake/layout';
import type { CtFileMeta } from './day-files';
import type { Plan } from './plan';
import { rngFor } from './random';
import { regionKey } from './rsa-keys';
import { HOUR, isoSecond, SECOND } from './time';
import { IMAGING_ACCOUNT, LOG_BUCKET, ORGANIZATION_ID, PAIRS, PRIMARY_REGION, type PairIndex, type World } from './world';

type Previous = { key: string; sha256: string; signature: string };

type Chain = {
  pair: PairIndex;
  /** Start of the next digest's window. */
  start: number;
  /** End of the next digest's window. */
  end: number;
  segment: 'before-gap' | 'after-gap';
  previous: Previous | null;
  pending: CtFileMeta[];
  lastEnd: number;
};

export class DigestWriter {
  private readonly chains: Chain[];
  files = 0;
  bytes = 0;

  constructor(
    private readonly world: World,
    private readonly plan: Plan,
    private readonly outDir: string,
  ) {
    this.chains = PAIRS.map((_, i) => {
      const pair = i as PairIndex;
      const phase = rngFor(world.seed, 'digest-phase', pair).int(60, 3599) * SECOND;
      return { pair, start: world.startMs, end: world.startMs + phase, segment: 'before-gap', previous: null, pending: [], lastEnd: world.startMs };
    });
  }

  add(files: CtFileMeta[]) {
    for (const f of files) this.chains[f.pair]!.pending.push(f);
  }

  /** Writes every digest whose window ends at or before `limit` (all files delivered before it are known). */
  async flushUntil(limit: number) {
    for (const chain of this.chains) {
      while (chain.end <= limit) await this.emit(chain);
    }
  }

  /** After the last day: digests until every delivered file is covered. */
  async finish() {
    for (const chain of this.chains) {
      while (chain.pending.length > 0) await this.emit(chain);
    }
  }

  private gapApplies(chain: Chain): boolean {
    return PAIRS[chain.pair].region === this.plan.gap.region;
  }

  private async emit(chain: Chain) {
    const { start, end } = chain;
    const inWindow = chain.pending.filter((f) => f.deliveredMs >= start && f.deliveredMs < end);
    if (chain.pending.some((f) => f.deliveredMs < start)) throw new Error('a log file was delivered outside every digest window');
    chain.pending = chain.pending.filter((f) => f.deliveredMs >= end);
    inWindow.sort((a, b) => a.deliveredMs - b.deliveredMs || (a.key < b.key ? -1 : 1));
    await this.writeDigest(chain, start, end, inWindow);
    chain.lastEnd = end;
    const gap = this.plan.gap;
    if (this.gapApplies(chain) && chain.segment === 'before-gap' && end === gap.finalDigestEnd) {
      // Logging stopped: the chain breaks and restarts (previousDigest* null) when logging resumes.
      chain.segment = 'after-gap';
      chain.previous = null;
      chain.start = gap.startAt;
      chain.end = gap.startAt + HOUR;
      return;
    }
    chain.start = end;
    chain.end = end + HOUR;
    if (this.gapApplies(chain) && chain.segment === 'before-gap' && chain.end > gap.finalDigestEnd) chain.end = gap.finalDigestEnd;
  }

  private async writeDigest(chain: Chain, start: number, end: number, logFiles: CtFileMeta[]) {
    const w = this.world;
    const { account, region } = PAIRS[chain.pair];
    const trail = w.trails.find((t) => t.account === account)!;
    const key = cloudTrailDigestKey(
      w.layout,
      { account, organizationId: account === IMAGING_ACCOUNT ? ORGANIZATION_ID : undefined },
      region,
      trail.name,
      PRIMARY_REGION,
      new Date(end),
    );
    const signer = regionKey(w.seed, region);
    const oldest = logFiles.length ? Math.min(...logFiles.map((f) => f.oldest)) : null;
    const newest = logFiles.length ? Math.max(...logFiles.map((f) => f.newest)) : null;
    const prev = chain.previous;
    const digest = {
      awsAccountId: account,
      digestStartTime: isoSecond(start),
      digestEndTime: isoSecond(end),
      digestS3Bucket: LOG_BUCKET,
      digestS3Object: key,
      digestPublicKeyFingerprint: signer.fingerprint,
      digestSignatureAlgorithm: 'SHA256withRSA',
      newestEventTime: newest === null ? null : isoSecond(newest),
      oldestEventTime: oldest === null ? null : isoSecond(oldest),
      previousDigestS3Bucket: prev ? LOG_BUCKET : null,
      previousDigestS3Object: prev ? prev.key : null,
      previousDigestHashValue: prev ? prev.sha256 : null,
      previousDigestHashAlgorithm: prev ? 'SHA-256' : null,
      previousDigestSignature: prev ? prev.signature : null,
      logFiles: logFiles.map((f) => ({
        s3Bucket: LOG_BUCKET,
        s3Object: f.key,
        hashValue: f.sha256,
        hashAlgorithm: 'SHA-256',
        newestEventTime: isoSecond(f.newest),
        oldestEventTime: isoSecond(f.oldest),
      })),
    };
    const body = Buffer.from(JSON.stringify(digest));
    const sha256 = createHash('sha256').update(body).digest('hex');
    const toSign = `${digest.digestEndTime}\n${LOG_BUCKET}/${key}\n${sha256}\n${prev ? prev.signature : 'null'}`;
    const signature = sign('sha256', Buffer.from(toSign, 'utf8'), signer.privateKey).toString('hex');
    const gz = zlib.gzipSync(body);
    const sidecar = Buffer.from(JSON.stringify({ signature, 'signature-algorithm': 'SHA256withRSA' }));
    const file = path.join(this.outDir, key);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, gz);
    await fs.writeFile(path.join(this.outDir, objectMetadataSidecar(key)), sidecar);
    this.files += 2;
    this.bytes += gz.length + sidecar.length;
    chain.previous = { key, sha256, signature };
  }
}
