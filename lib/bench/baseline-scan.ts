// The baseline Custos is compared with: a plain single-process Node program that gunzips and
// JSON.parses every raw CloudTrail file of a window and keeps the records that touch one patient's
// image sets or study objects. No DuckDB, no staging, no Parquet.
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { partitionDays } from '@/lib/lake/layout';
import { elapsedSeconds, perSecond, round } from './figures';

const gunzip = promisify(zlib.gunzip);

export type BaselineTarget = {
  imageSetIds: Set<string>;
  bucket: string;
  /** Study prefixes '<top>/<study>/' of the patient's objects. */
  keyPrefixes: Set<string>;
};

export type BaselineFigures = {
  seconds: number;
  files: number;
  compressedBytes: number;
  uncompressedBytes: number;
  records: number;
  matches: number;
  eventsPerSecond: number;
  megabytesPerSecond: number;
};

async function dirs(dir: string, keep: RegExp): Promise<string[]> {
  const list = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  return list.filter((e) => e.isDirectory() && keep.test(e.name)).map((e) => e.name).sort();
}

/** Every CloudTrail log file in the day folders a window reads (its days plus the late-delivery day). */
export async function cloudTrailFiles(lakeDir: string, cloudtrailPrefix: string, window: { from: string; to: string }): Promise<string[]> {
  const root = path.join(lakeDir, cloudtrailPrefix, 'AWSLogs');
  const accounts: string[] = [];
  for (const top of await dirs(root, /^(o-[a-z0-9]+|\d{12})$/)) {
    if (top.startsWith('o-')) for (const a of await dirs(path.join(root, top), /^\d{12}$/)) accounts.push(path.join(root, top, a));
    else accounts.push(path.join(root, top));
  }
  const files: string[] = [];
  for (const account of accounts) {
    const trail = path.join(account, 'CloudTrail');
    for (const region of await dirs(trail, /^[a-z0-9-]+$/)) {
      for (const day of partitionDays(window.from, window.to)) {
        const folder = path.join(trail, region, day);
        const names = await fs.readdir(folder).catch(() => [] as string[]);
        for (const name of names.sort()) if (name.endsWith('.json.gz')) files.push(path.join(folder, name));
      }
    }
  }
  return files;
}

type CloudTrailRecord = { eventSource?: string; requestParameters?: Record<string, unknown> | null };

const STUDY_PREFIX = /^[^/]+\/[^/]+\//;

function isMatch(record: CloudTrailRecord, target: BaselineTarget): boolean {
  const params = record.requestParameters;
  if (!params || typeof params !== 'object') return false;
  if (record.eventSource === 'medical-imaging.amazonaws.com') {
    return typeof params.imageSetId === 'string' && target.imageSetIds.has(params.imageSetId);
  }
  if (record.eventSource === 's3.amazonaws.com') {
    const key = params.key;
    if (params.bucketName !== target.bucket || typeof key !== 'string') return false;
    const prefix = STUDY_PREFIX.exec(key)?.[0];
    return prefix !== undefined && target.keyPrefixes.has(prefix);
  }
  return false;
}

/** Reads the files in order, keeping two reads and gunzips in flight while the current one is parsed. */
export async function baselineScan(files: string[], target: BaselineTarget): Promise<BaselineFigures> {
  const started = performance.now();
  const load = async (file: string) => {
    const compressed = await fs.readFile(file);
    return { compressedBytes: compressed.length, text: await gunzip(compressed) };
  };
  const figures = { files: 0, compressedBytes: 0, uncompressedBytes: 0, records: 0, matches: 0 };
  const ahead: Promise<{ compressedBytes: number; text: Buffer }>[] = [];
  let next = 0;
  const fill = () => {
    while (ahead.length < 2 && next < files.length) {
      const p = load(files[next++]!);
      p.catch(() => undefined);
      ahead.push(p);
    }
  };
  fill();
  while (ahead.length > 0) {
    const { compressedBytes, text } = await ahead.shift()!;
    fill();
    const log = JSON.parse(text.toString('utf8')) as { Records?: CloudTrailRecord[] };
    const records = log.Records ?? [];
    figures.files++;
    figures.compressedBytes += compressedBytes;
    figures.uncompressedBytes += text.length;
    figures.records += records.length;
    for (const r of records) if (isMatch(r, target)) figures.matches++;
  }
  const seconds = elapsedSeconds(started);
  return {
    ...figures,
    seconds: round(seconds, 3),
    eventsPerSecond: perSecond(figures.records, seconds),
    megabytesPerSecond: perSecond(figures.uncompressedBytes / 1e6, seconds),
  };
}
