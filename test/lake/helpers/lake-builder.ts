// Builds small lakes in temporary directories, laid out exactly as AWS writes the objects.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { accessLogKey, cloudTrailLogKey, DEFAULT_LAYOUT, inventoryPaths } from '@/lib/lake/layout';
import type { LakeLayout, LakeLocation } from '@/lib/lake/tables';

export const REAL_FIXTURES = path.resolve(process.cwd(), '../shared/fixtures/real');

export function tempLake(layout: LakeLayout = DEFAULT_LAYOUT): LakeLocation & { cleanup(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-lake-'));
  return { dir, layout, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

function put(lake: LakeLocation, key: string, body: Buffer | string): string {
  const file = path.join(lake.dir, key);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, body);
  return key;
}

let counter = 0;
const unique = (alphabet: 'alnum' | 'hex') => {
  counter++;
  const hex = createHash('sha1').update(String(counter)).digest('hex').toUpperCase();
  return alphabet === 'hex' ? hex.slice(0, 16) : `U${hex.slice(0, 15)}`;
};

export type CloudTrailPlace = {
  account?: string;
  region?: string;
  /** Delivery instant, ISO; its UTC day is the partition. */
  at: string;
  organizationId?: string;
};

/** Writes a CloudTrail log object `{"Records":[…]}` (or a given raw body), gzip-compressed. */
export function putCloudTrail(lake: LakeLocation, place: CloudTrailPlace, records: unknown[] | { rawBody: Buffer | string }): string {
  const key = cloudTrailLogKey(
    lake.layout,
    { account: place.account ?? '111122223333', ...(place.organizationId ? { organizationId: place.organizationId } : {}) },
    place.region ?? 'us-east-1',
    new Date(place.at),
    unique('alnum'),
  );
  const body = Array.isArray(records) ? zlib.gzipSync(JSON.stringify({ Records: records })) : records.rawBody;
  return put(lake, key, body);
}

export type AccessLogPlace = { account?: string; region?: string; bucket?: string; day: string };

export function putAccessLog(lake: LakeLocation, place: AccessLogPlace, text: string): string {
  const key = accessLogKey(
    lake.layout,
    place.account ?? '111122223333',
    place.region ?? 'us-east-1',
    place.bucket ?? 'phi-dicom-archive',
    new Date(`${place.day}T00:00:00Z`),
    unique('hex'),
  );
  return put(lake, key, text);
}

export type InventoryDataFile = { name: string; body: Buffer; md5?: string };

/** Writes one S3 Inventory report: data files, manifest.json, manifest.checksum and hive symlink.txt. */
export function putInventoryReport(
  lake: LakeLocation,
  report: {
    at: string;
    format: 'CSV' | 'Parquet' | 'ORC';
    fileSchema: string;
    files: InventoryDataFile[];
    sourceBucket?: string;
    configId?: string;
    destinationBucket?: string;
    /** Leave the manifest out (symlink only). */
    noManifest?: boolean;
  },
): { symlink: string; manifest: string; dataKeys: string[]; dt: string } {
  const source = report.sourceBucket ?? 'phi-dicom-archive';
  const paths = inventoryPaths(lake.layout, source, report.configId ?? 'daily-all-versions', new Date(report.at));
  const destination = report.destinationBucket ?? 'custos-demo-logs';
  const dataKeys = report.files.map((f) => put(lake, `${paths.dataDir}${f.name}`, f.body));
  const manifest = JSON.stringify(
    {
      sourceBucket: source,
      destinationBucket: `arn:aws:s3:::${destination}`,
      version: '2016-11-30',
      creationTimestamp: String(Date.parse(report.at)),
      fileFormat: report.format,
      fileSchema: report.fileSchema,
      files: report.files.map((f, i) => ({
        key: dataKeys[i],
        size: f.body.length,
        MD5checksum: f.md5 ?? createHash('md5').update(f.body).digest('hex'),
      })),
    },
    null,
    2,
  );
  if (!report.noManifest) {
    put(lake, paths.manifest, manifest);
    put(lake, paths.checksum, createHash('md5').update(manifest).digest('hex'));
  }
  put(lake, paths.symlink, dataKeys.map((k) => `s3://${destination}/${k}`).join('\n') + '\n');
  return { symlink: paths.symlink, manifest: paths.manifest, dataKeys, dt: paths.dt };
}

/** Writes a Parquet file with DuckDB from a SELECT (catalog objects, Parquet inventory data). */
export async function parquetFromSelect(select: string): Promise<Buffer> {
  const tmp = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'custos-pq-')), 'out.parquet');
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    await conn.run(`COPY (${select}) TO '${tmp}' (FORMAT parquet)`);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
  const body = fs.readFileSync(tmp);
  fs.rmSync(path.dirname(tmp), { recursive: true, force: true });
  return body;
}

export function putFile(lake: LakeLocation, key: string, body: Buffer | string): string {
  return put(lake, key, body);
}

/** A minimal CloudTrail record with the given overrides. */
export function ctRecord(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  counter++;
  return {
    eventVersion: '1.10',
    userIdentity: {
      type: 'AssumedRole',
      principalId: 'AROAEXAMPLE:jdoe',
      arn: 'arn:aws:sts::111122223333:assumed-role/ImagingViewerRole/jdoe',
      accountId: '111122223333',
    },
    eventTime: '2025-03-04T15:22:09Z',
    eventSource: 's3.amazonaws.com',
    eventName: 'GetObject',
    awsRegion: 'us-east-1',
    sourceIPAddress: '203.0.113.25',
    userAgent: 'aws-cli/2.13.5',
    requestParameters: { bucketName: 'phi-dicom-archive', key: `studies/${counter}.dcm` },
    responseElements: null,
    eventID: `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`,
    readOnly: true,
    eventType: 'AwsApiCall',
    recipientAccountId: '111122223333',
    eventCategory: 'Data',
    ...overrides,
  };
}

/** A server access log line in the current 27-field format. */
export function accessLine(overrides: { requestId?: string; key?: string; time?: string; operation?: string } = {}): string {
  counter++;
  const requestId = overrides.requestId ?? createHash('md5').update(String(counter)).digest('hex').slice(0, 16).toUpperCase();
  const key = overrides.key ?? `studies/${counter}/0001.dcm`;
  return [
    '5d0c0a4b5a0c1e0e9f0f5f6e7e8e9ea0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1',
    'phi-dicom-archive',
    `[${overrides.time ?? '04/Mar/2025:15:22:09 +0000'}]`,
    '203.0.113.25',
    'arn:aws:sts::111122223333:assumed-role/ImagingViewerRole/jdoe',
    requestId,
    overrides.operation ?? 'REST.GET.OBJECT',
    key,
    `"GET /${key} HTTP/1.1"`,
    '200',
    '-',
    '524288',
    '524288',
    '41',
    '12',
    '"-"',
    '"aws-sdk-js/3.620.0 ua/2.1 os/linux"',
    '-',
    'Ke1bUcazaN1jWuUlPJaxF64cQVpUEhoZKEG/hmy/gijN/I1DeWqDfFvnpybfEseEME/u7ME1234=',
    'SigV4',
    'TLS_AES_128_GCM_SHA256',
    'AuthHeader',
    'phi-dicom-archive.s3.us-east-1.amazonaws.com',
    'TLSv1.3',
    '-',
    '-',
    'us-east-1',
  ].join(' ');
}
