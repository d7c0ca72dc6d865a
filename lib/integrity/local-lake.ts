// The integrity ports over a local lake directory: objects are files under their S3 keys, a
// digest's S3 metadata is its sidecar (objectMetadataSidecar), and the public keys are the
// ListPublicKeys responses the generator recorded per Region under _custos/.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { DomainError } from '@/lib/errors';
import { PUBLIC_KEYS_DIR } from '@/lib/lake/generate/out-dir';
import { objectMetadataSidecar, parseCloudTrailDigestKey, parseCloudTrailLogKey } from '@/lib/lake/layout';
import type { LakeLocation } from '@/lib/lake/tables';
import { ACCOUNT_ID, dayFolderOf, ORGANIZATION_ID, ownerRoot, REGION_NAME } from './keys';
import type { IntegritySources, ObjectMetadata, PublicKeySource, StoredObject, TrailObjectStore, TrailOutput, TrailPublicKey } from './port';


async function entries(dir: string): Promise<string[]> {
  try {
    return (await fsp.readdir(dir)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
    throw error;
  }
}

const Metadata = z.record(z.string(), z.string());

export class LocalTrailStore implements TrailObjectStore {
  readonly bucket = null;
  private readonly root: string;

  constructor(private readonly lake: LakeLocation) {
    this.root = path.resolve(lake.dir);
  }

  /** The file of an object key, or null for keys that would leave the lake (keys come from digests). */
  private file(key: string): string | null {
    if (key.includes('\\') || key.split('/').some((s) => s === '..' || s === '.')) return null;
    const file = path.resolve(this.root, key);
    return file.startsWith(`${this.root}${path.sep}`) ? file : null;
  }

  async trailOutputs(): Promise<TrailOutput[]> {
    if (!fs.existsSync(this.root)) throw missingLake(this.root);
    const awsLogs = `${this.lake.layout.cloudtrailPrefix}AWSLogs`;
    const owners: { organizationId: string | null; account: string }[] = [];
    for (const name of await entries(path.join(/*turbopackIgnore: true*/ this.root, awsLogs))) {
      if (ACCOUNT_ID.test(name)) owners.push({ organizationId: null, account: name });
      else if (ORGANIZATION_ID.test(name)) {
        for (const account of await entries(path.join(/*turbopackIgnore: true*/ this.root, awsLogs, name))) {
          if (ACCOUNT_ID.test(account)) owners.push({ organizationId: name, account });
        }
      }
    }
    const out: TrailOutput[] = [];
    for (const owner of owners) {
      const regions = new Set<string>();
      for (const kind of ['CloudTrail-Digest', 'CloudTrail']) {
        for (const region of await entries(path.join(/*turbopackIgnore: true*/ this.root, ownerRoot(this.lake.layout, owner), kind))) if (REGION_NAME.test(region)) regions.add(region);
      }
      for (const region of [...regions].sort()) out.push({ ...owner, region });
    }
    return out;
  }

  private async *listFolder(folder: string, accept: (key: string) => boolean): AsyncGenerator<string> {
    for (const name of await entries(path.join(/*turbopackIgnore: true*/ this.root, folder))) {
      const key = `${folder}/${name}`;
      if (accept(key)) yield key;
    }
  }

  listDigests(output: TrailOutput, day: string): AsyncIterable<string> {
    const folder = `${ownerRoot(this.lake.layout, output)}/CloudTrail-Digest/${output.region}/${dayFolderOf(day)}`;
    return this.listFolder(folder, (k) => parseCloudTrailDigestKey(k) !== null);
  }

  async *digestsFrom(output: TrailOutput, day: string): AsyncGenerator<string> {
    const base = `${ownerRoot(this.lake.layout, output)}/CloudTrail-Digest/${output.region}`;
    const first = dayFolderOf(day);
    for (const y of await entries(path.join(/*turbopackIgnore: true*/ this.root, base))) {
      if (!/^\d{4}$/.test(y) || y < first.slice(0, 4)) continue;
      for (const m of await entries(path.join(/*turbopackIgnore: true*/ this.root, base, y))) {
        if (!/^\d{2}$/.test(m) || `${y}/${m}` < first.slice(0, 7)) continue;
        for (const d of await entries(path.join(/*turbopackIgnore: true*/ this.root, base, y, m))) {
          if (!/^\d{2}$/.test(d) || `${y}/${m}/${d}` < first) continue;
          yield* this.listFolder(`${base}/${y}/${m}/${d}`, (k) => parseCloudTrailDigestKey(k) !== null);
        }
      }
    }
  }

  listLogs(output: TrailOutput, day: string): AsyncIterable<string> {
    const folder = `${ownerRoot(this.lake.layout, output)}/CloudTrail/${output.region}/${dayFolderOf(day)}`;
    return this.listFolder(folder, (k) => parseCloudTrailLogKey(k) !== null);
  }

  private async metadata(key: string): Promise<ObjectMetadata> {
    const sidecar = this.file(objectMetadataSidecar(key));
    if (!sidecar) return {};
    let text: string;
    try {
      text = await fsp.readFile(sidecar, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
    try {
      const parsed = Metadata.safeParse(JSON.parse(text));
      return parsed.success ? parsed.data : {};
    } catch {
      return {};
    }
  }

  async head(key: string): Promise<ObjectMetadata | null> {
    const file = this.file(key);
    if (!file) return null;
    const stat = await fsp.stat(file).catch(() => null);
    return stat?.isFile() ? this.metadata(key) : null;
  }

  async get(key: string): Promise<StoredObject | null> {
    const metadata = await this.head(key);
    if (metadata === null) return null;
    return { body: fs.createReadStream(this.file(key)!), metadata };
  }
}

const ListPublicKeysJson = z.object({
  PublicKeyList: z.array(
    z.object({ Value: z.string(), ValidityStartTime: z.number(), ValidityEndTime: z.number(), Fingerprint: z.string() }),
  ),
});

/** The ListPublicKeys responses recorded in the lake (`_custos/cloudtrail-public-keys/<region>.json`). */
export class RecordedPublicKeys implements PublicKeySource {
  constructor(private readonly lakeDir: string) {}

  async publicKeys(region: string, start: Date, end: Date): Promise<TrailPublicKey[]> {
    if (!REGION_NAME.test(region)) return [];
    let text: string;
    try {
      text = await fsp.readFile(path.join(this.lakeDir, PUBLIC_KEYS_DIR, `${region}.json`), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const doc = ListPublicKeysJson.parse(JSON.parse(text));
    return doc.PublicKeyList.map((k) => ({
      fingerprint: k.Fingerprint,
      der: Buffer.from(k.Value, 'base64'),
      validFrom: new Date(k.ValidityStartTime * 1000),
      validTo: new Date(k.ValidityEndTime * 1000),
    })).filter((k) => k.validFrom <= end && k.validTo >= start);
  }
}

function missingLake(dir: string): DomainError {
  return new DomainError('precondition', `The lake directory ${dir} does not exist; run "custos lake generate" or set CUSTOS_LAKE_DIR.`);
}

/** Sources over a lake on this machine; a missing lake is reported when they are used, so the portal can still start and say so. */
export function localIntegritySources(lake: LakeLocation): IntegritySources {
  return { store: new LocalTrailStore(lake), keys: new RecordedPublicKeys(lake.dir) };
}
