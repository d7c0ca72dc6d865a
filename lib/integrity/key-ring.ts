// The public keys of the window, fetched once per Region, and the verdict on a digest's signature.
import { SIGNATURE_ALGORITHM, signatureVerifies, type LoadedDigest } from './digest-file';
import type { PublicKeySource, TrailPublicKey } from './port';
import { HOUR_MS } from './report';

export type SignatureVerdict = 'valid' | 'bad-signature' | 'unknown-key';

// A digest is signed when it is delivered, just after its end time: a key rotated in between
// still signed it, so validity is checked with an hour's grace.
const VALIDITY_GRACE_MS = HOUR_MS;

export class KeyRing {
  private readonly byRegion = new Map<string, Promise<TrailPublicKey[]>>();

  constructor(
    private readonly source: PublicKeySource,
    private readonly start: Date,
    private readonly end: Date,
  ) {}

  private async find(region: string, fingerprint: string, at: number): Promise<TrailPublicKey | null> {
    let keys = this.byRegion.get(region);
    if (!keys) this.byRegion.set(region, (keys = this.source.publicKeys(region, this.start, this.end)));
    const wanted = fingerprint.toLowerCase();
    return (
      (await keys).find(
        (k) =>
          k.fingerprint.toLowerCase() === wanted &&
          at >= k.validFrom.getTime() - VALIDITY_GRACE_MS &&
          at <= k.validTo.getTime() + VALIDITY_GRACE_MS,
      ) ?? null
    );
  }

  /** Unsigned, wrongly signed or unreadable digests are 'bad-signature'; a key CloudTrail never published is 'unknown-key'. */
  async verdict(digest: LoadedDigest, region: string): Promise<SignatureVerdict> {
    const { json, sha256, metadata } = digest;
    if (!json || !sha256 || !metadata.signature) return 'bad-signature';
    const algorithm = metadata['signature-algorithm'] ?? json.digestSignatureAlgorithm ?? SIGNATURE_ALGORITHM;
    if (algorithm !== SIGNATURE_ALGORITHM) return 'bad-signature';
    const at = Date.parse(json.digestEndTime);
    const key = Number.isNaN(at) ? null : await this.find(region, json.digestPublicKeyFingerprint, at);
    if (!key) return 'unknown-key';
    return signatureVerifies({ ...digest, json, sha256 }, key) ? 'valid' : 'bad-signature';
  }
}
