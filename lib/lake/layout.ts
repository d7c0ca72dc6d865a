// Object keys exactly as AWS writes them (docs: CloudTrail "Finding your log files", S3 server
// access logs "PartitionedPrefix", S3 Inventory "locations"), and their parsers. Shared by the
// generator, the scanners and the Athena estimator so every side agrees on one layout.

import { daysBetween, nextDay } from '@/lib/days';
import type { LakeLayout } from './tables';

export const DEFAULT_LAYOUT: LakeLayout = {
  cloudtrailPrefix: '',
  accessLogPrefix: 's3-access-logs/',
  inventoryPrefix: 'inventory/',
  catalogPrefix: 'catalog/study_catalog/',
};

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** 'YYYY/MM/DD' folder of a UTC instant. */
export function dayFolder(d: Date): string {
  return `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}`;
}

/** YYYYMMDDTHHmmZ (log files) */
function compactMinute(d: Date): string {
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}Z`;
}

/** YYYYMMDDTHHmmssZ (digest files) */
function compactSecond(d: Date): string {
  return compactMinute(d).slice(0, -1) + `${pad(d.getUTCSeconds())}Z`;
}

export type TrailOwner = { account: string; organizationId?: string };

function awsLogsRoot(layout: LakeLayout, owner: TrailOwner): string {
  const org = owner.organizationId ? `${owner.organizationId}/` : '';
  return `${layout.cloudtrailPrefix}AWSLogs/${org}${owner.account}`;
}

export function cloudTrailLogKey(
  layout: LakeLayout,
  owner: TrailOwner,
  region: string,
  deliveredAt: Date,
  unique16: string,
): string {
  if (!/^[A-Za-z0-9]{16}$/.test(unique16)) throw new Error('unique string must be 16 alphanumerics');
  return `${awsLogsRoot(layout, owner)}/CloudTrail/${region}/${dayFolder(deliveredAt)}/${owner.account}_CloudTrail_${region}_${compactMinute(deliveredAt)}_${unique16}.json.gz`;
}

export function cloudTrailDigestKey(
  layout: LakeLayout,
  owner: TrailOwner,
  region: string,
  trailName: string,
  homeRegion: string,
  digestEnd: Date,
): string {
  return `${awsLogsRoot(layout, owner)}/CloudTrail-Digest/${region}/${dayFolder(digestEnd)}/${owner.account}_CloudTrail-Digest_${region}_${trailName}_${homeRegion}_${compactSecond(digestEnd)}.json.gz`;
}

/** Local stand-in for the digest object's S3 user metadata (x-amz-meta-signature …). */
export function objectMetadataSidecar(key: string): string {
  return `${key}.metadata.json`;
}

const CLOUDTRAIL_LOG =
  /(?:^|\/)AWSLogs\/(?:(o-[a-z0-9]{10,32})\/)?(\d{12})\/CloudTrail\/([a-z0-9-]+)\/(\d{4})\/(\d{2})\/(\d{2})\/(\d{12})_CloudTrail_([a-z0-9-]+)_(\d{8}T\d{4}Z)_([A-Za-z0-9]{16})\.json\.gz$/;

export type CloudTrailLogKey = {
  organizationId: string | null;
  account: string;
  region: string;
  /** Delivery day folder, 'YYYY/MM/DD' (the Athena partition value). */
  day: string;
  deliveredAt: string; // YYYYMMDDTHHmmZ
};

export function parseCloudTrailLogKey(key: string): CloudTrailLogKey | null {
  const m = CLOUDTRAIL_LOG.exec(key);
  if (!m) return null;
  return {
    organizationId: m[1] ?? null,
    account: m[2]!,
    region: m[3]!,
    day: `${m[4]}/${m[5]}/${m[6]}`,
    deliveredAt: m[9]!,
  };
}

const CLOUDTRAIL_DIGEST =
  /(?:^|\/)AWSLogs\/(?:(o-[a-z0-9]{10,32})\/)?(\d{12})\/CloudTrail-Digest\/([a-z0-9-]+)\/(\d{4})\/(\d{2})\/(\d{2})\/(\d{12})_CloudTrail-Digest_([a-z0-9-]+)_(.+)_([a-z0-9-]+)_(\d{8}T\d{6}Z)\.json\.gz$/;

export type CloudTrailDigestKey = {
  organizationId: string | null;
  account: string;
  region: string;
  day: string;
  trailName: string;
  homeRegion: string;
  digestEnd: string; // YYYYMMDDTHHmmssZ
};

export function parseCloudTrailDigestKey(key: string): CloudTrailDigestKey | null {
  const m = CLOUDTRAIL_DIGEST.exec(key);
  if (!m) return null;
  return {
    organizationId: m[1] ?? null,
    account: m[2]!,
    region: m[3]!,
    day: `${m[4]}/${m[5]}/${m[6]}`,
    trailName: m[9]!,
    homeRegion: m[10]!,
    digestEnd: m[11]!,
  };
}

/**
 * S3 server access log object (PartitionedPrefix):
 * [prefix][SourceAccountId]/[SourceRegion]/[SourceBucket]/[YYYY]/[MM]/[DD]/[YYYY]-[MM]-[DD]-[hh]-[mm]-[ss]-[UniqueString]
 * With PartitionDateSource=EventTime the time part is 00-00-00.
 */
export function accessLogKey(
  layout: LakeLayout,
  account: string,
  region: string,
  bucket: string,
  at: Date,
  unique16: string,
  partitionDateSource: 'EventTime' | 'DeliveryTime' = 'EventTime',
): string {
  if (!/^[0-9A-F]{16}$/.test(unique16)) throw new Error('unique string must be 16 uppercase hex');
  const y = at.getUTCFullYear();
  const mo = pad(at.getUTCMonth() + 1);
  const d = pad(at.getUTCDate());
  const time =
    partitionDateSource === 'EventTime'
      ? '00-00-00'
      : `${pad(at.getUTCHours())}-${pad(at.getUTCMinutes())}-${pad(at.getUTCSeconds())}`;
  return `${layout.accessLogPrefix}${account}/${region}/${bucket}/${y}/${mo}/${d}/${y}-${mo}-${d}-${time}-${unique16}`;
}

const ACCESS_LOG =
  /(\d{12})\/([a-z0-9-]+)\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(\d{4})\/(\d{2})\/(\d{2})\/(\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2})-([0-9A-Za-z]{16})$/;

export type AccessLogKey = {
  account: string;
  region: string;
  bucket: string;
  day: string;
  /** The key's YYYY-MM-DD-hh-mm-ss: delivery time, or the event day at 00-00-00 (PartitionDateSource=EventTime). */
  time: string;
};

/** Parses the part of a key after the access-log prefix. */
export function parseAccessLogKey(keyAfterPrefix: string): AccessLogKey | null {
  const m = ACCESS_LOG.exec(keyAfterPrefix);
  if (!m) return null;
  return { account: m[1]!, region: m[2]!, bucket: m[3]!, day: `${m[4]}/${m[5]}/${m[6]}`, time: m[7]! };
}

const SIMPLE_ACCESS_LOG = /^(\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2})-([0-9A-Za-z]{16})$/;

/**
 * S3 server access log object (SimplePrefix, the default): [prefix][YYYY]-[MM]-[DD]-[hh]-[mm]-[ss]-[UniqueString],
 * the time being the delivery time. Parses the part of a key after the access-log prefix; the
 * key names no source bucket.
 */
export function parseSimpleAccessLogKey(keyAfterPrefix: string): { time: string } | null {
  const m = SIMPLE_ACCESS_LOG.exec(keyAfterPrefix);
  return m ? { time: m[1]! } : null;
}

/** S3 Inventory locations: <prefix><source-bucket>/<config-id>/… */
export function inventoryPaths(layout: LakeLayout, sourceBucket: string, configId: string, at: Date) {
  const base = `${layout.inventoryPrefix}${sourceBucket}/${configId}`;
  const stamp = `${at.getUTCFullYear()}-${pad(at.getUTCMonth() + 1)}-${pad(at.getUTCDate())}T${pad(at.getUTCHours())}-${pad(at.getUTCMinutes())}Z`;
  const dt = `${at.getUTCFullYear()}-${pad(at.getUTCMonth() + 1)}-${pad(at.getUTCDate())}-${pad(at.getUTCHours())}-${pad(at.getUTCMinutes())}`;
  return {
    manifest: `${base}/${stamp}/manifest.json`,
    checksum: `${base}/${stamp}/manifest.checksum`,
    symlink: `${base}/hive/dt=${dt}/symlink.txt`,
    dataDir: `${base}/data/`,
    dt,
  };
}

/** Partition folders a query over [from, to] must read: one more day for late delivery. */
export function partitionDays(from: string, to: string): string[] {
  return daysBetween(from, nextDay(to)).map((d) => d.replaceAll('-', '/'));
}
