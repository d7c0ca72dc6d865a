import 'server-only';
// The integrity ports over AWS: the trail's bucket through S3 (ListObjectsV2, GetObject,
// HeadObject; a digest's signature is its user metadata `signature`) and CloudTrail's
// ListPublicKeys in each digest's Region. Clients are injected by the composition root.
import { ListPublicKeysCommand, type CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { parseCloudTrailDigestKey, parseCloudTrailLogKey } from '@/lib/lake/layout';
import type { LakeLayout } from '@/lib/lake/tables';
import { ACCOUNT_ID, dayFolderOf, ORGANIZATION_ID, ownerRoot, REGION_NAME } from './keys';
import type { IntegritySources, ObjectMetadata, PublicKeySource, StoredObject, TrailObjectStore, TrailOutput, TrailPublicKey } from './port';


function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404;
}

export class S3TrailStore implements TrailObjectStore {
  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
    private readonly layout: LakeLayout,
  ) {}

  /** Every page of a listing, requested only as the caller reads on. */
  private async *pages(prefix: string, options: { delimiter?: string; startAfter?: string } = {}) {
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix,
          Delimiter: options.delimiter,
          StartAfter: token ? undefined : options.startAfter,
          ContinuationToken: token,
        }),
      );
      yield page;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  private async folders(prefix: string): Promise<string[]> {
    const out: string[] = [];
    for await (const page of this.pages(prefix, { delimiter: '/' })) {
      for (const p of page.CommonPrefixes ?? []) if (p.Prefix) out.push(p.Prefix.slice(prefix.length).replace(/\/$/, ''));
    }
    return out;
  }

  private async *keys(prefix: string, accept: (key: string) => boolean, startAfter?: string): AsyncGenerator<string> {
    for await (const page of this.pages(prefix, { startAfter })) {
      for (const o of page.Contents ?? []) if (o.Key !== undefined && accept(o.Key)) yield o.Key;
    }
  }

  async trailOutputs(): Promise<TrailOutput[]> {
    const awsLogs = `${this.layout.cloudtrailPrefix}AWSLogs/`;
    const owners: { organizationId: string | null; account: string }[] = [];
    for (const name of await this.folders(awsLogs)) {
      if (ACCOUNT_ID.test(name)) owners.push({ organizationId: null, account: name });
      else if (ORGANIZATION_ID.test(name)) {
        for (const account of await this.folders(`${awsLogs}${name}/`)) if (ACCOUNT_ID.test(account)) owners.push({ organizationId: name, account });
      }
    }
    const out: TrailOutput[] = [];
    for (const owner of owners) {
      const regions = new Set<string>();
      for (const kind of ['CloudTrail-Digest', 'CloudTrail']) {
        for (const region of await this.folders(`${ownerRoot(this.layout, owner)}/${kind}/`)) if (REGION_NAME.test(region)) regions.add(region);
      }
      for (const region of [...regions].sort()) out.push({ ...owner, region });
    }
    return out;
  }

  listDigests(output: TrailOutput, day: string): AsyncIterable<string> {
    return this.keys(`${ownerRoot(this.layout, output)}/CloudTrail-Digest/${output.region}/${dayFolderOf(day)}/`, (k) => parseCloudTrailDigestKey(k) !== null);
  }

  digestsFrom(output: TrailOutput, day: string): AsyncIterable<string> {
    const prefix = `${ownerRoot(this.layout, output)}/CloudTrail-Digest/${output.region}/`;
    // Keys sort by day folder: every key of `day`'s folder and later ones sorts after 'prefix/YYYY/MM/DD'.
    return this.keys(prefix, (k) => parseCloudTrailDigestKey(k) !== null, `${prefix}${dayFolderOf(day)}`);
  }

  listLogs(output: TrailOutput, day: string): AsyncIterable<string> {
    return this.keys(`${ownerRoot(this.layout, output)}/CloudTrail/${output.region}/${dayFolderOf(day)}/`, (k) => parseCloudTrailLogKey(k) !== null);
  }

  async get(key: string): Promise<StoredObject | null> {
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!out.Body) return null;
      return { body: out.Body as AsyncIterable<Uint8Array>, metadata: out.Metadata ?? {} };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async head(key: string): Promise<ObjectMetadata | null> {
    try {
      const out = await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return out.Metadata ?? {};
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }
}

/** ListPublicKeys in the digest's Region (CloudTrail signs each Region's digests with its own keys). */
export class CloudTrailPublicKeys implements PublicKeySource {
  constructor(private readonly clientFor: (region: string) => CloudTrailClient) {}

  async publicKeys(region: string, start: Date, end: Date): Promise<TrailPublicKey[]> {
    const client = this.clientFor(region);
    const out: TrailPublicKey[] = [];
    const seen = new Set<string>();
    let token: string | undefined;
    do {
      const page = await client.send(new ListPublicKeysCommand({ StartTime: start, EndTime: end, NextToken: token }));
      for (const k of page.PublicKeyList ?? []) {
        if (!k.Value || !k.Fingerprint || !k.ValidityStartTime || !k.ValidityEndTime) continue;
        out.push({ fingerprint: k.Fingerprint, der: k.Value, validFrom: k.ValidityStartTime, validTo: k.ValidityEndTime });
      }
      token = page.NextToken && !seen.has(page.NextToken) ? page.NextToken : undefined;
      if (token) seen.add(token);
    } while (token);
    return out;
  }
}

export type AwsIntegrityClients = {
  s3: S3Client;
  /** A CloudTrail client for a Region. */
  cloudTrail: (region: string) => CloudTrailClient;
};

export function awsIntegritySources(clients: AwsIntegrityClients, options: { bucket: string; layout: LakeLayout }): IntegritySources {
  return { store: new S3TrailStore(clients.s3, options.bucket, options.layout), keys: new CloudTrailPublicKeys(clients.cloudTrail) };
}
