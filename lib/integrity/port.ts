// The integrity validator's reader ports: CloudTrail's log and digest objects where the trail
// delivers them, and the public keys CloudTrail signed the digests with. Adapters: a local lake
// directory, or S3 and CloudTrail's ListPublicKeys.

/** One CloudTrail output folder: an account's files for one Region (organization trails carry the org id). */
export type TrailOutput = { organizationId: string | null; account: string; region: string };

/** S3 user metadata, names without `x-amz-meta-` (a digest's `signature`, `signature-algorithm`). */
export type ObjectMetadata = Record<string, string>;

/** An object's bytes exactly as stored (gzip for CloudTrail files), streamed, and its user metadata. */
export type StoredObject = { body: AsyncIterable<Uint8Array>; metadata: ObjectMetadata };

export interface TrailObjectStore {
  /** The bucket a digest must name as its own; null when the store does not know it. */
  readonly bucket: string | null;
  /** Every output folder holding CloudTrail log or digest files. */
  trailOutputs(): Promise<TrailOutput[]>;
  /** Digest object keys delivered into one UTC day's folder ('YYYY-MM-DD'), in key order. */
  listDigests(output: TrailOutput, day: string): AsyncIterable<string>;
  /** Digest object keys of every day folder from `day` on, in key order, read lazily. */
  digestsFrom(output: TrailOutput, day: string): AsyncIterable<string>;
  /** Log object keys delivered into one UTC day's folder, in key order. */
  listLogs(output: TrailOutput, day: string): AsyncIterable<string>;
  /** The object, or null when there is none under that key. */
  get(key: string): Promise<StoredObject | null>;
  /** The object's user metadata without its bytes, or null when there is none under that key. */
  head(key: string): Promise<ObjectMetadata | null>;
}

/** A CloudTrail digest-signing key as ListPublicKeys returns it. */
export type TrailPublicKey = {
  fingerprint: string;
  /** DER, PKCS#1 RSAPublicKey. */
  der: Uint8Array;
  validFrom: Date;
  validTo: Date;
};

export interface PublicKeySource {
  /** Keys whose private keys signed digests of `region` between `start` and `end`. */
  publicKeys(region: string, start: Date, end: Date): Promise<TrailPublicKey[]>;
}

export type IntegritySources = { store: TrailObjectStore; keys: PublicKeySource };
