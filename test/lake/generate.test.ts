import { createHash, createPublicKey, verify } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLake, type GenerateSummary, type Truth } from '@/lib/lake/generate';
import {
  DEFAULT_LAYOUT,
  parseAccessLogKey,
  parseCloudTrailDigestKey,
  parseCloudTrailLogKey,
} from '@/lib/lake/layout';
import { tableDefinition } from '@/lib/lake/schema';
import { CANARY_ACCESSION } from '@/lib/lake/catalog-canary';

// One small lake (a week at 900 events a day) read back from disk, file by file, the way a reader
// that trusts nothing but the files would.
const OPTIONS = { days: 7, eventsPerDay: 900, end: '2026-10-31', seed: 11 } as const;
const ACCESS_LOG_DIR = `${DEFAULT_LAYOUT.accessLogPrefix}210987654321/us-east-1/custos-demo-imaging-archive/`;
const S3_OPS = new Set(['GetObject', 'HeadObject', 'PutObject', 'CopyObject', 'DeleteObject']);
const LOG_OPS: Record<string, string> = {
  'REST.GET.OBJECT': 'GetObject',
  'REST.HEAD.OBJECT': 'HeadObject',
  'REST.PUT.OBJECT': 'PutObject',
  'REST.DELETE.OBJECT': 'DeleteObject',
  'REST.COPY.OBJECT': 'CopyObject',
  'REST.COPY.OBJECT_GET': 'CopyObject',
};

type Identity = { type: string; arn?: string; userName?: string; invokedBy?: string; sessionContext?: { attributes?: { creationDate?: string } } };
type CtRecord = {
  eventVersion: string;
  userIdentity: Identity;
  eventTime: string;
  eventSource: string;
  eventName: string;
  awsRegion: string;
  sourceIPAddress: string;
  userAgent?: string;
  errorCode?: string;
  errorMessage?: string;
  requestParameters: Record<string, unknown> | null;
  responseElements: unknown;
  additionalEventData?: Record<string, unknown>;
  requestID?: string;
  eventID: string;
  readOnly?: boolean;
  resources?: Record<string, string>[];
  eventType: string;
  managementEvent: boolean;
  recipientAccountId: string;
  eventCategory: string;
  tlsDetails?: Record<string, string>;
};
type CtFile = { key: string; account: string; region: string; day: string; deliveredAt: string; raw: Buffer; text: string; records: CtRecord[] };
type LogLine = { key: string; text: string; fields: string[] };
type CatalogRow = {
  patient_id_hash: string;
  study_instance_uid: string;
  image_set_id: string;
  s3_key_prefix: string;
  study_date: string;
  patient_birth_date: string;
  retention_class: string;
  modality: string;
  vip: boolean;
  legal_hold: boolean;
};
type Access = {
  time: string;
  principal: string;
  action: string;
  source: 'healthimaging' | 's3';
  studyInstanceUid: string;
  sourceIp: string;
  outcome: string;
  sources: string[];
  eventId: string | null;
  requestId: string | null;
};

async function walk(dir: string, out: string[] = []): Promise<string[]> {
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) await walk(p, out);
    else out.push(p);
  }
  return out;
}

async function fileHashes(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const f of (await walk(root)).sort()) {
    out.set(path.relative(root, f), createHash('sha256').update(await fs.readFile(f)).digest('hex'));
  }
  return out;
}

/** Splits an access log line into fields: quoted strings and the bracketed time are single fields. */
function logFields(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    const close = line[i] === '"' ? '"' : line[i] === '[' ? ']' : null;
    const end = close ? line.indexOf(close, i + 1) + 1 : line.indexOf(' ', i) < 0 ? line.length : line.indexOf(' ', i);
    out.push(line.slice(i, end));
    i = end + 1;
  }
  return out;
}

function logTime(field: string): string {
  const m = /^\[(\d{2})\/(\w{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) \+0000\]$/.exec(field);
  if (!m) throw new Error(`bad access log time ${field}`);
  const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'].indexOf(m[2]!) + 1;
  return `${m[3]}-${String(month).padStart(2, '0')}-${m[1]}T${m[4]}:${m[5]}:${m[6]}Z`;
}

const localHour = (() => {
  const f = new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', hour: 'numeric', hourCycle: 'h23' });
  return (iso: string) => Number(f.format(new Date(iso)));
})();

function addYears(date: string, years: number): string {
  const y = Number(date.slice(0, 4)) + years;
  const md = date.slice(5) === '02-29' && !(y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0)) ? '02-28' : date.slice(5);
  return `${y}-${md}`;
}

const dayDiff = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

async function query<T>(sql: string): Promise<T[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const c = await instance.connect();
  try {
    return (await c.runAndReadAll(sql)).getRowObjectsJson() as unknown as T[];
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}

type Lake = {
  root: string;
  truth: Truth;
  ctFiles: CtFile[];
  records: Map<string, CtRecord>;
  copies: Map<string, string[]>;
  logLines: LogLine[];
  catalog: CatalogRow[];
  accesses: Access[];
};

async function readLake(root: string): Promise<Lake> {
  const truth = JSON.parse(await fs.readFile(path.join(root, 'truth.json'), 'utf8')) as Truth;
  const ctFiles: CtFile[] = [];
  const records = new Map<string, CtRecord>();
  const copies = new Map<string, string[]>();
  for (const f of (await walk(path.join(root, 'AWSLogs'))).sort()) {
    const key = path.relative(root, f);
    const parsed = parseCloudTrailLogKey(key);
    if (!parsed) continue;
    const raw = await fs.readFile(f);
    const text = zlib.gunzipSync(raw).toString('utf8');
    const file: CtFile = { key, ...parsed, raw, text, records: (JSON.parse(text) as { Records: CtRecord[] }).Records };
    ctFiles.push(file);
    for (const r of file.records) {
      const json = JSON.stringify(r);
      copies.set(r.eventID, [...(copies.get(r.eventID) ?? []), `${key}\n${json}`]);
      records.set(r.eventID, r);
    }
  }
  const logLines: LogLine[] = [];
  for (const f of (await walk(path.join(root, ACCESS_LOG_DIR))).sort()) {
    const key = path.relative(root, f);
    for (const text of (await fs.readFile(f, 'utf8')).split('\n')) if (text) logLines.push({ key, text, fields: logFields(text) });
  }
  const catalog = await query<CatalogRow>(
    `SELECT patient_id_hash, study_instance_uid, image_set_id, s3_key_prefix, CAST(study_date AS VARCHAR) AS study_date,
            CAST(patient_birth_date AS VARCHAR) AS patient_birth_date, retention_class, modality, vip, legal_hold
     FROM read_parquet('${path.join(root, DEFAULT_LAYOUT.catalogPrefix)}*.parquet')`,
  );
  return { root, truth, ctFiles, records, copies, logLines, catalog, accesses: deriveAccesses(truth, records, logLines, catalog) };
}

/** The access definition of truth.ts, recomputed from the files alone. */
function deriveAccesses(truth: Truth, records: Map<string, CtRecord>, lines: LogLine[], catalog: CatalogRow[]): Access[] {
  const byImageSet = new Map(catalog.map((c) => [c.image_set_id, c]));
  const byPrefix = new Map(catalog.map((c) => [c.s3_key_prefix, c]));
  const prefixOf = (key: string) => /^[^/]+\/[^/]+\//.exec(key)?.[0] ?? '';
  const from = `${truth.window.from}T00:00:00Z`;
  const toNext = new Date(Date.parse(`${truth.window.to}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 19) + 'Z';
  const inWindow = (t: string) => t >= from && t < toNext;
  const out: Access[] = [];
  const trailS3 = new Map<string, CtRecord>();
  const decrypts: CtRecord[] = [];
  for (const r of records.values()) {
    if (!inWindow(r.eventTime)) continue;
    if (r.eventSource === 'medical-imaging.amazonaws.com') {
      const study = byImageSet.get(String(r.requestParameters?.imageSetId ?? ''));
      if (study) {
        out.push({
          time: r.eventTime,
          principal: r.userIdentity.arn!,
          action: r.eventName,
          source: 'healthimaging',
          studyInstanceUid: study.study_instance_uid,
          sourceIp: r.sourceIPAddress,
          outcome: r.errorCode ?? 'success',
          sources: ['cloudtrail'],
          eventId: r.eventID,
          requestId: null,
        });
      }
    } else if (r.eventSource === 's3.amazonaws.com' && S3_OPS.has(r.eventName) && r.requestID) {
      if (byPrefix.has(prefixOf(String(r.requestParameters?.key ?? '')))) trailS3.set(r.requestID, r);
    } else if (r.eventSource === 'kms.amazonaws.com' && r.eventName === 'Decrypt' && !r.errorCode) {
      decrypts.push(r);
    }
  }
  const logged = new Map<string, LogLine>();
  for (const l of lines) {
    const op = LOG_OPS[l.fields[6]!];
    const t = logTime(l.fields[2]!);
    if (op && inWindow(t) && byPrefix.has(prefixOf(decodeURIComponent(l.fields[7]!)))) logged.set(l.fields[5]!, l);
  }
  for (const requestId of new Set([...trailS3.keys(), ...logged.keys()])) {
    const t = trailS3.get(requestId);
    const l = logged.get(requestId);
    const key = t ? String(t.requestParameters!.key) : decodeURIComponent(l!.fields[7]!);
    const principal = t ? t.userIdentity.arn! : l!.fields[4]!;
    const time = t ? t.eventTime : logTime(l!.fields[2]!);
    const arn = `arn:aws:s3:::custos-demo-imaging-archive/${key}`;
    const kms = decrypts.some(
      (d) =>
        d.userIdentity.arn === principal &&
        (d.requestParameters?.encryptionContext as Record<string, string> | undefined)?.['aws:s3:arn'] === arn &&
        Math.abs(Date.parse(d.eventTime) - Date.parse(time)) <= 60_000,
    );
    out.push({
      time,
      principal,
      action: t ? t.eventName : LOG_OPS[l!.fields[6]!]!,
      source: 's3',
      studyInstanceUid: byPrefix.get(prefixOf(key))!.study_instance_uid,
      sourceIp: t ? t.sourceIPAddress : l!.fields[3]!,
      outcome: t ? (t.errorCode ?? 'success') : l!.fields[10] === '-' ? 'success' : l!.fields[10]!,
      sources: [t ? 'cloudtrail' : null, kms ? 'kms' : null, l ? 's3_access_log' : null].filter((s): s is string => s !== null),
      eventId: t ? t.eventID : null,
      requestId,
    });
  }
  const order = (a: Access, b: Access) => {
    for (const k of ['time', 'source', 'action', 'requestId', 'eventId'] as const) {
      const x = a[k] ?? '';
      const y = b[k] ?? '';
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  };
  return out.sort(order);
}

let root: string;
let summary: GenerateSummary;
let lake: Lake;

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'custos-generate-'));
  summary = await generateLake({ ...OPTIONS, outDir: path.join(root, 'a'), workers: 2 });
  lake = await readLake(path.join(root, 'a'));
}, 300_000);

afterAll(async () => {
  if (root) await fs.rm(root, { recursive: true, force: true });
});

describe('generateLake: determinism and the output directory', () => {
  it('writes byte-identical files for the same seed, whether or not worker threads are used', async () => {
    const again = await generateLake({ ...OPTIONS, outDir: path.join(root, 'b'), workers: 0 });
    expect(again.events).toBe(summary.events);
    const a = await fileHashes(path.join(root, 'a'));
    const b = await fileHashes(path.join(root, 'b'));
    expect([...b.keys()]).toEqual([...a.keys()]);
    expect(b).toEqual(a);
    expect(summary.files).toBe(a.size);
    let bytes = 0;
    for (const f of await walk(path.join(root, 'a'))) bytes += (await fs.stat(f)).size;
    expect(summary.bytes).toBe(bytes);
  });

  it('writes a different lake for a different seed', async () => {
    await generateLake({ ...OPTIONS, seed: 12, outDir: path.join(root, 'c') });
    const a = await fileHashes(path.join(root, 'a'));
    const c = await fileHashes(path.join(root, 'c'));
    expect(c).not.toEqual(a);
    expect(await fs.readFile(path.join(root, 'c', 'truth.json'), 'utf8')).not.toBe(await fs.readFile(path.join(root, 'a', 'truth.json'), 'utf8'));
  });

  it('regenerates over a previous generation and refuses any other non-empty directory', async () => {
    const dir = path.join(root, 'b');
    await fs.writeFile(path.join(dir, 'AWSLogs', 'stale.txt'), 'left over');
    await generateLake({ ...OPTIONS, outDir: dir, workers: 0 });
    expect(await fileHashes(dir)).toEqual(await fileHashes(path.join(root, 'a')));

    await fs.writeFile(path.join(dir, 'notes.txt'), 'not ours');
    await expect(generateLake({ ...OPTIONS, outDir: dir })).rejects.toThrow(/notes\.txt/);

    const foreign = path.join(root, 'foreign');
    await fs.mkdir(foreign);
    await fs.writeFile(path.join(foreign, 'data.csv'), 'a,b\n');
    await expect(generateLake({ ...OPTIONS, outDir: foreign })).rejects.toThrow(/Refusing/);
    expect(await fs.readdir(foreign)).toEqual(['data.csv']);
  });

  it('rejects options outside the supported range', async () => {
    await expect(generateLake({ outDir: path.join(root, 'bad'), days: 2 })).rejects.toThrow(/days/);
    await expect(generateLake({ outDir: path.join(root, 'bad'), end: '2026-13-01' })).rejects.toThrow(/date/);
    await expect(generateLake({ outDir: path.join(root, 'bad'), eventsPerDay: 10 })).rejects.toThrow(/eventsPerDay/);
  });
});

describe('generateLake: CloudTrail log files', () => {
  it('names every file as CloudTrail does, under the organization path for the imaging account', () => {
    expect(lake.ctFiles.length).toBeGreaterThan(100);
    for (const f of lake.ctFiles) {
      expect(f.key).toMatch(/^AWSLogs\/(o-h7c2k9x4m1\/210987654321|345678901234)\/CloudTrail\/(us-east-1|us-west-2)\/\d{4}\/\d{2}\/\d{2}\/\d{12}_CloudTrail_[a-z0-9-]+_\d{8}T\d{4}Z_[A-Za-z0-9]{16}\.json\.gz$/);
      expect(f.day.replaceAll('/', '')).toBe(f.deliveredAt.slice(0, 8));
      expect(f.raw.subarray(0, 2).toString('hex')).toBe('1f8b');
    }
    const pairs = new Set(lake.ctFiles.map((f) => `${f.account}/${f.region}`));
    expect([...pairs].sort()).toEqual(['210987654321/us-east-1', '210987654321/us-west-2', '345678901234/us-east-1', '345678901234/us-west-2']);
  });

  it('writes compact single-line {"Records":[…]} bodies with the required fields', () => {
    for (const f of lake.ctFiles) {
      expect(f.text.startsWith('{"Records":[')).toBe(true);
      expect(f.text).not.toContain('\n');
      expect(JSON.stringify(JSON.parse(f.text))).toBe(f.text);
      for (const r of f.records) {
        expect(r.eventVersion).toMatch(/^1\.(08|09|10|11)$/);
        expect(r.eventTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
        expect(r.eventID).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(r.awsRegion === f.region || r.eventSource === 'iam.amazonaws.com').toBe(true);
        expect(r.recipientAccountId).toBe(f.account);
        expect(typeof r.userIdentity.type).toBe('string');
        expect(typeof r.sourceIPAddress).toBe('string');
        expect('requestParameters' in r && 'responseElements' in r).toBe(true);
        expect(r.eventType).toBe('AwsApiCall');
        expect(typeof r.managementEvent).toBe('boolean');
        expect(r.eventCategory === 'Data').toBe(!r.managementEvent);
        for (const res of r.resources ?? []) expect(Object.keys(res)).toContain('ARN');
        if (r.eventTime > `${f.deliveredAt.slice(0, 4)}-${f.deliveredAt.slice(4, 6)}-${f.deliveredAt.slice(6, 8)}T${f.deliveredAt.slice(9, 11)}:${f.deliveredAt.slice(11, 13)}:59Z`) {
          throw new Error(`record ${r.eventID} is later than its delivery ${f.key}`);
        }
      }
    }
  });

  it('classifies management and data events as AWS does', () => {
    const byName = new Map<string, CtRecord[]>();
    for (const r of lake.records.values()) byName.set(`${r.eventSource}:${r.eventName}`, [...(byName.get(`${r.eventSource}:${r.eventName}`) ?? []), r]);
    const all = (k: string) => {
      const list = byName.get(k);
      expect(list?.length, k).toBeGreaterThan(0);
      return list!;
    };
    for (const r of all('medical-imaging.amazonaws.com:GetImageFrame')) expect([r.eventCategory, r.managementEvent]).toEqual(['Data', false]);
    for (const r of all('medical-imaging.amazonaws.com:GetDICOMInstance')) expect([r.eventCategory, r.managementEvent]).toEqual(['Data', false]);
    for (const r of all('medical-imaging.amazonaws.com:GetImageSetMetadata')) expect([r.eventCategory, r.managementEvent]).toEqual(['Management', true]);
    for (const r of all('kms.amazonaws.com:Decrypt')) expect([r.eventCategory, r.managementEvent]).toEqual(['Management', true]);
    for (const r of all('s3.amazonaws.com:GetObject')) {
      expect([r.eventCategory, r.managementEvent]).toEqual(['Data', false]);
      expect(r.requestID).toMatch(/^[0-9A-F]{16}$/);
      expect(r.additionalEventData?.['x-amz-id-2']).toMatch(/^[A-Za-z0-9+/]+=*$/);
      expect(r.resources?.map((x) => x.type)).toEqual(['AWS::S3::Object', 'AWS::S3::Bucket']);
      if (!r.userIdentity.invokedBy) expect(r.tlsDetails?.clientProvidedHostHeader).toBe('custos-demo-imaging-archive.s3.us-east-1.amazonaws.com');
    }
    const viaS3 = all('kms.amazonaws.com:Decrypt').filter((r) => r.userIdentity.invokedBy === 's3.amazonaws.com' && !r.errorCode);
    expect(viaS3.length).toBeGreaterThan(0);
    for (const r of viaS3) {
      expect([r.sourceIPAddress, r.userAgent]).toEqual(['s3.amazonaws.com', 's3.amazonaws.com']);
      expect(r.tlsDetails).toBeUndefined();
      expect((r.requestParameters?.encryptionContext as Record<string, string>)['aws:s3:arn']).toMatch(/^arn:aws:s3:::custos-demo-imaging-archive\/studies\//);
    }
    const denied = all('kms.amazonaws.com:Decrypt').filter((r) => r.errorCode);
    expect(denied.length).toBeGreaterThan(0);
    for (const r of denied) {
      expect(r.errorCode).toBe('AccessDenied');
      expect(r.requestParameters).toBeNull();
      expect(r.errorMessage).toContain(lake.truth.kmsKeyArn);
    }
    expect(all('sts.amazonaws.com:AssumeRoleWithSAML').every((r) => r.userIdentity.type === 'SAMLUser')).toBe(true);
    expect(all('medical-imaging.amazonaws.com:StartDICOMImportJob').length).toBeGreaterThan(0);
    expect(all('kms.amazonaws.com:PutKeyPolicy').length).toBe(2);
  });

  it('delivers some records twice (identical content, different files) and some in the next day folder', () => {
    const dups = [...lake.copies.values()].filter((c) => c.length > 1);
    expect(dups.length).toBeGreaterThan(0);
    for (const c of dups) {
      const [first, ...rest] = c.map((x) => x.split('\n'));
      for (const other of rest) {
        expect(other[0]).not.toBe(first![0]);
        expect(other[1]).toBe(first![1]);
      }
    }
    const late = lake.ctFiles.flatMap((f) => f.records.filter((r) => r.eventTime.slice(0, 10).replaceAll('-', '/') < f.day));
    expect(late.length).toBeGreaterThan(0);
    expect(lake.ctFiles.some((f) => f.day > lake.truth.window.to.replaceAll('-', '/'))).toBe(true);
  });

  it('keeps every delivery 1 to 15 minutes after its events, except the final file before logging stopped', () => {
    const gap = lake.truth.coverageGaps[0]!;
    for (const f of lake.ctFiles) {
      const d = f.deliveredAt;
      const delivered = Date.parse(`${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}T${d.slice(9, 11)}:${d.slice(11, 13)}:00Z`);
      for (const r of f.records) {
        const lag = delivered - Date.parse(r.eventTime);
        if (f.region === gap.region && delivered < Date.parse(gap.from) && delivered > Date.parse(gap.from) - 3_600_000) continue;
        expect(lag).toBeGreaterThan(-60_000);
        if (lake.copies.get(r.eventID)!.length === 1) expect(lag).toBeLessThan(31 * 60_000);
      }
    }
  });

  it('has at least two records in every Region and clock hour, except the planned gap, which has none', () => {
    const counts = new Map<string, number>();
    for (const r of lake.records.values()) {
      const region = r.eventSource === 'iam.amazonaws.com' ? 'us-east-1' : r.awsRegion;
      const k = `${region} ${r.eventTime.slice(0, 13)}`;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    const gap = lake.truth.coverageGaps[0]!;
    expect(lake.truth.coverageGaps).toHaveLength(1);
    const gapHours = (Date.parse(gap.to) - Date.parse(gap.from)) / 3_600_000;
    expect(gapHours).toBeGreaterThanOrEqual(3);
    expect(gapHours).toBeLessThanOrEqual(6);
    const start = Date.parse(`${lake.truth.window.from}T00:00:00Z`);
    for (let h = 0; h < OPTIONS.days * 24; h++) {
      const hour = new Date(start + h * 3_600_000).toISOString().slice(0, 13);
      for (const region of lake.truth.regions) {
        const n = counts.get(`${region} ${hour}`) ?? 0;
        const inGap = region === gap.region && `${hour}:00:00Z` >= gap.from && `${hour}:00:00Z` < gap.to;
        if (inGap) expect(n, `${region} ${hour}`).toBe(0);
        else expect(n, `${region} ${hour}`).toBeGreaterThanOrEqual(2);
      }
    }
    const stops = [...lake.records.values()].filter((r) => r.eventName === 'StopLogging').map((r) => r.eventTime);
    const starts = [...lake.records.values()].filter((r) => r.eventName === 'StartLogging').map((r) => r.eventTime);
    expect(stops).toHaveLength(2);
    expect(starts).toHaveLength(2);
    for (const t of stops) expect(t < gap.from && Date.parse(gap.from) - Date.parse(t) < 600_000).toBe(true);
    for (const t of starts) expect(t >= gap.to && Date.parse(t) - Date.parse(gap.to) < 600_000).toBe(true);
  });

  it('writes about eventsPerDay records a day', () => {
    const perDay = summary.events / OPTIONS.days;
    expect(perDay).toBeGreaterThan(OPTIONS.eventsPerDay * 0.9);
    expect(perDay).toBeLessThan(OPTIONS.eventsPerDay * 1.25);
    expect(summary.events).toBe(lake.ctFiles.reduce((n, f) => n + f.records.length, 0));
  });
});

describe('generateLake: S3 server access logs', () => {
  it('partitions by event day (PartitionedPrefix, EventTime) with plain-text objects', () => {
    const keys = new Set(lake.logLines.map((l) => l.key));
    expect(keys.size).toBeGreaterThan(OPTIONS.days);
    for (const key of keys) {
      const parsed = parseAccessLogKey(key.slice(DEFAULT_LAYOUT.accessLogPrefix.length));
      expect(parsed).not.toBeNull();
      expect(key).toMatch(/\/\d{4}-\d{2}-\d{2}-00-00-00-[0-9A-F]{16}$/);
      expect(parsed!.bucket).toBe('custos-demo-imaging-archive');
    }
    for (const l of lake.logLines) expect(logTime(l.fields[2]!).slice(0, 10).replaceAll('-', '/')).toBe(parseAccessLogKey(l.key.slice(DEFAULT_LAYOUT.accessLogPrefix.length))!.day);
  });

  it('writes 24 to 28 fields per line, all matching the table DDL regex', () => {
    const raw = tableDefinition('s3_access_logs').serdeProperties['input.regex']!;
    const regex = new RegExp(raw.replace(/\\(.)/g, '$1'));
    const counts = new Map<number, number>();
    for (const l of lake.logLines) {
      const n = l.fields.length;
      counts.set(n, (counts.get(n) ?? 0) + 1);
      expect(n).toBeGreaterThanOrEqual(24);
      expect(n).toBeLessThanOrEqual(28);
      const m = regex.exec(l.text);
      expect(m, l.text).not.toBeNull();
      expect(m![6]).toBe(l.fields[5]);
      expect(m![3]).toBe(l.fields[2]!.slice(1, -1));
    }
    for (const n of [24, 25, 26, 27, 28]) expect(counts.get(n) ?? 0, `${n} fields`).toBeGreaterThan(0);
    const ops = new Set(lake.logLines.map((l) => l.fields[6]));
    for (const op of ['REST.GET.OBJECT', 'REST.HEAD.OBJECT', 'REST.PUT.OBJECT', 'S3.TRANSITION_SIA.OBJECT', 'S3.TRANSITION.OBJECT', 'S3.TRANSITION_GDA.OBJECT']) {
      expect(ops.has(op), op).toBe(true);
    }
    for (const l of lake.logLines.filter((x) => x.fields[6]!.startsWith('S3.'))) expect([l.fields[3], l.fields[4]]).toEqual(['-', 'AmazonS3']);
  });

  it('logs every S3 data event under the same request id, Host Id and requester', () => {
    const lines = new Map(lake.logLines.map((l) => [l.fields[5]!, l]));
    let checked = 0;
    for (const r of lake.records.values()) {
      if (r.eventSource !== 's3.amazonaws.com' || r.eventCategory !== 'Data') continue;
      const l = lines.get(r.requestID!);
      expect(l, `${r.eventName} ${r.requestID}`).toBeDefined();
      expect(l!.fields[4]).toBe(r.userIdentity.arn);
      expect(LOG_OPS[l!.fields[6]!]).toBe(r.eventName);
      expect(decodeURIComponent(l!.fields[7]!)).toBe(r.requestParameters!.key);
      if (l!.fields.length >= 27) expect(l!.fields[18]).toBe(r.additionalEventData!['x-amz-id-2']);
      expect(l!.fields[9]).toBe(r.errorCode ? '403' : '200');
      const lag = Date.parse(r.eventTime) - Date.parse(logTime(l!.fields[2]!));
      expect(lag).toBeGreaterThanOrEqual(0);
      expect(lag).toBeLessThan(60_000);
      expect(logTime(l!.fields[2]!).slice(0, 13)).toBe(r.eventTime.slice(0, 13));
      checked++;
    }
    expect(checked).toBeGreaterThan(200);
  });
});

describe('generateLake: CloudTrail digests', () => {
  it('signs every digest so that it verifies with the recorded public keys, and lists exact log-file hashes', async () => {
    const keys = new Map<string, ReturnType<typeof createPublicKey>>();
    for (const region of lake.truth.regions) {
      const doc = JSON.parse(await fs.readFile(path.join(lake.root, '_custos/cloudtrail-public-keys', `${region}.json`), 'utf8')) as {
        PublicKeyList: { Value: string; Fingerprint: string; ValidityStartTime: number; ValidityEndTime: number }[];
      };
      for (const k of doc.PublicKeyList) {
        const der = Buffer.from(k.Value, 'base64');
        expect(createHash('md5').update(der).digest('hex')).toBe(k.Fingerprint);
        expect(k.ValidityStartTime).toBeLessThan(Date.parse(`${lake.truth.window.from}T00:00:00Z`) / 1000);
        keys.set(k.Fingerprint, createPublicKey({ key: der, format: 'der', type: 'pkcs1' }));
      }
    }
    expect(keys.size).toBe(2);
    const ctHashes = new Map(lake.ctFiles.map((f) => [f.key, createHash('sha256').update(f.text).digest('hex')]));
    const listed = new Map<string, number>();
    const digestKeys = (await walk(path.join(lake.root, 'AWSLogs'))).map((f) => path.relative(lake.root, f)).filter((k) => parseCloudTrailDigestKey(k));
    expect(digestKeys.length).toBeGreaterThan(OPTIONS.days * 24 * 3);
    type Digest = { key: string; sha256: string; signature: string; doc: Record<string, unknown> & { logFiles: { s3Object: string; hashValue: string }[] } };
    const chains = new Map<string, Digest[]>();
    for (const key of digestKeys.sort()) {
      const parsed = parseCloudTrailDigestKey(key)!;
      const body = zlib.gunzipSync(await fs.readFile(path.join(lake.root, key)));
      const doc = JSON.parse(body.toString('utf8')) as Digest['doc'];
      const meta = JSON.parse(await fs.readFile(path.join(lake.root, `${key}.metadata.json`), 'utf8')) as Record<string, string>;
      expect(meta['signature-algorithm']).toBe('SHA256withRSA');
      expect(doc.digestS3Bucket).toBe('custos-demo-logs');
      expect(doc.digestS3Object).toBe(key);
      expect(doc.awsAccountId).toBe(parsed.account);
      const sha256 = createHash('sha256').update(body).digest('hex');
      const signed = `${doc.digestEndTime}\n${doc.digestS3Bucket}/${doc.digestS3Object}\n${sha256}\n${doc.previousDigestSignature ?? 'null'}`;
      const publicKey = keys.get(String(doc.digestPublicKeyFingerprint));
      expect(publicKey).toBeDefined();
      expect(verify('sha256', Buffer.from(signed, 'utf8'), publicKey!, Buffer.from(meta.signature!, 'hex'))).toBe(true);
      expect(verify('sha256', Buffer.from(`${signed}x`, 'utf8'), publicKey!, Buffer.from(meta.signature!, 'hex'))).toBe(false);
      for (const lf of doc.logFiles) {
        expect(lf.hashValue).toBe(ctHashes.get(lf.s3Object));
        expect(parseCloudTrailLogKey(lf.s3Object)!.region).toBe(parsed.region);
        listed.set(lf.s3Object, (listed.get(lf.s3Object) ?? 0) + 1);
      }
      const chain = `${parsed.account}/${parsed.region}`;
      chains.set(chain, [...(chains.get(chain) ?? []), { key, sha256, signature: meta.signature!, doc }]);
    }
    for (const f of lake.ctFiles) expect(listed.get(f.key), f.key).toBe(1);
    const gap = lake.truth.coverageGaps[0]!;
    for (const [chain, digests] of chains) {
      digests.sort((a, b) => String(a.doc.digestEndTime).localeCompare(String(b.doc.digestEndTime)));
      const breaks: string[] = [];
      digests.forEach((d, i) => {
        if (i > 0) expect(String(d.doc.digestStartTime) >= String(digests[i - 1]!.doc.digestEndTime)).toBe(true);
        if (d.doc.previousDigestS3Object === null) {
          expect(d.doc.previousDigestSignature).toBeNull();
          breaks.push(String(d.doc.digestStartTime));
          return;
        }
        const prev = digests[i - 1]!;
        expect(d.doc.previousDigestS3Object).toBe(prev.key);
        expect(d.doc.previousDigestHashValue).toBe(prev.sha256);
        expect(d.doc.previousDigestSignature).toBe(prev.signature);
      });
      if (chain.endsWith(gap.region)) {
        expect(breaks).toHaveLength(2);
        expect(breaks[1]! >= gap.to).toBe(true);
        const before = digests.filter((d) => String(d.doc.digestEndTime) < breaks[1]!);
        expect(String(before[before.length - 1]!.doc.digestEndTime) < gap.from).toBe(true);
      } else {
        expect(breaks).toHaveLength(1);
      }
    }
  });
});

describe('generateLake: S3 Inventory and the study catalog', () => {
  type Manifest = { sourceBucket: string; destinationBucket: string; version: string; creationTimestamp: string; fileFormat: string; fileSchema: string; files: { key: string; size: number; MD5checksum: string }[] };
  const manifests = async () => {
    const base = path.join(lake.root, DEFAULT_LAYOUT.inventoryPrefix, 'custos-demo-imaging-archive', 'daily-full');
    const out: { dt: string; manifest: Manifest; raw: Buffer; dir: string }[] = [];
    for (const e of (await fs.readdir(base)).sort()) {
      if (e === 'hive' || e === 'data') continue;
      const raw = await fs.readFile(path.join(base, e, 'manifest.json'));
      out.push({ dt: e.replace('T', '-').replace('Z', ''), manifest: JSON.parse(raw.toString('utf8')) as Manifest, raw, dir: path.join(base, e) });
    }
    return out;
  };

  it('writes manifests, checksums, symlinks and data files that agree with each other', async () => {
    const list = await manifests();
    expect(list.map((m) => m.manifest.fileFormat)).toEqual(['CSV', 'Parquet']);
    expect(list.map((m) => m.dt)).toEqual(lake.truth.inventoryReports.map((r) => r.dt));
    const ddl = tableDefinition('s3_inventory').columns.map((c) => c.name);
    for (const { manifest, raw, dir, dt } of list) {
      expect(await fs.readFile(path.join(dir, 'manifest.checksum'), 'utf8')).toBe(`${createHash('md5').update(raw).digest('hex')}\n`);
      expect(manifest.creationTimestamp).toMatch(/^\d{13}$/);
      expect(manifest.destinationBucket).toBe('arn:aws:s3:::custos-demo-logs');
      const symlink = await fs.readFile(path.join(lake.root, DEFAULT_LAYOUT.inventoryPrefix, 'custos-demo-imaging-archive/daily-full/hive', `dt=${dt}`, 'symlink.txt'), 'utf8');
      expect(symlink).toBe(manifest.files.map((f) => `s3://custos-demo-logs/${f.key}\n`).join(''));
      for (const f of manifest.files) {
        const body = await fs.readFile(path.join(lake.root, f.key));
        expect(body.length).toBe(f.size);
        expect(createHash('md5').update(body).digest('hex')).toBe(f.MD5checksum);
      }
      if (manifest.fileFormat === 'CSV') {
        const snake = (n: string) => (n === 'ETag' ? 'e_tag' : n.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase());
        expect(manifest.fileSchema.split(', ').map(snake)).toEqual(ddl);
        for (const f of manifest.files) {
          const lines = zlib.gunzipSync(await fs.readFile(path.join(lake.root, f.key))).toString('utf8').trimEnd().split('\n');
          for (const line of lines) {
            const fields = line.split('","');
            expect(fields).toHaveLength(18);
            expect(line.startsWith('"custos-demo-imaging-archive","studies/')).toBe(true);
          }
        }
      } else {
        const cols = await query<{ column_name: string; column_type: string }>(
          `DESCRIBE SELECT * FROM read_parquet([${manifest.files.map((f) => `'${path.join(lake.root, f.key)}'`).join(',')}])`,
        );
        expect(cols.map((c) => c.column_name)).toEqual(ddl);
        const schema = await query<{ name: string; converted_type: string | null }>(
          `SELECT name, converted_type FROM parquet_schema('${path.join(lake.root, manifest.files[0]!.key)}')`,
        );
        for (const name of ['last_modified_date', 'object_lock_retain_until_date']) {
          expect(schema.find((c) => c.name === name)!.converted_type).toBe('TIMESTAMP_MILLIS');
          expect(manifest.fileSchema).toContain(`optional int64 ${name} (TIMESTAMP(MILLIS,false));`);
        }
      }
    }
  });

  it('totals the latest report exactly as truth.json states (storage classes and age bands)', async () => {
    const latest = (await manifests()).at(-1)!;
    const files = latest.manifest.files.map((f) => `'${path.join(lake.root, f.key)}'`).join(',');
    const classes = await query<{ storage_class: string; objects: number; bytes: string }>(
      `SELECT storage_class, count(*)::INTEGER AS objects, sum(size)::VARCHAR AS bytes FROM read_parquet([${files}])
       WHERE NOT is_delete_marker GROUP BY 1 ORDER BY 1`,
    );
    for (const c of classes) expect(lake.truth.storage[c.storage_class as keyof Truth['storage']]).toEqual({ objects: c.objects, bytes: Number(c.bytes) });
    expect(Object.values(lake.truth.storage).reduce((n, s) => n + s.objects, 0)).toBe(classes.reduce((n, c) => n + c.objects, 0));
    expect(classes.map((c) => c.storage_class).sort()).toEqual(['DEEP_ARCHIVE', 'GLACIER', 'STANDARD', 'STANDARD_IA']);
    const rows = await query<{ key: string; size: string; storage_class: string }>(
      `SELECT key, size::VARCHAR AS size, storage_class FROM read_parquet([${files}]) WHERE NOT is_delete_marker`,
    );
    const studyDate = new Map(lake.catalog.map((c) => [c.s3_key_prefix, c.study_date]));
    const bands = new Map<string, { objects: number; bytes: number }>();
    for (const r of rows) {
      const age = dayDiff(studyDate.get(/^[^/]+\/[^/]+\//.exec(r.key)![0])!, lake.truth.window.to);
      const band = age < 30 ? '<30d' : age < 90 ? '30-90d' : age < 365 ? '90d-1y' : age < 1095 ? '1-3y' : age < 2555 ? '3-7y' : '>7y';
      const b = bands.get(`${r.storage_class}|${band}`) ?? { objects: 0, bytes: 0 };
      b.objects++;
      b.bytes += Number(r.size);
      bands.set(`${r.storage_class}|${band}`, b);
    }
    expect(new Map(lake.truth.storageByBand.map((b) => [`${b.storageClass}|${b.band}`, { objects: b.objects, bytes: b.bytes }]))).toEqual(bands);
  });

  it('keeps the lifecycle, Object Lock and legal holds consistent with the catalog', async () => {
    const latest = (await manifests()).at(-1)!;
    const files = latest.manifest.files.map((f) => `'${path.join(lake.root, f.key)}'`).join(',');
    const rows = await query<{ key: string; storage_class: string | null; lm: string; until: string | null; hold: string | null; mode: string | null; latest: boolean; dm: boolean }>(
      `SELECT key, storage_class, strftime(last_modified_date, '%Y-%m-%d') AS lm, strftime(object_lock_retain_until_date, '%Y-%m-%d') AS until,
              object_lock_legal_hold_status AS hold, object_lock_mode AS mode, is_latest AS latest, is_delete_marker AS dm
       FROM read_parquet([${files}])`,
    );
    const byPrefix = new Map(lake.catalog.map((c) => [c.s3_key_prefix, c]));
    const rank = ['STANDARD', 'STANDARD_IA', 'GLACIER', 'DEEP_ARCHIVE'];
    expect(rows.some((r) => r.dm)).toBe(true);
    expect(rows.some((r) => !r.latest && !r.dm)).toBe(true);
    for (const r of rows) {
      const c = byPrefix.get(/^[^/]+\/[^/]+\//.exec(r.key)![0])!;
      expect(c, r.key).toBeDefined();
      if (r.dm) continue;
      // S3 makes a version eligible at the first UTC midnight after lastModified + N days and moves it
      // hours later, so a report taken at 00:00 shows the move from N + 2 whole days of age on.
      const age = dayDiff(r.lm, lake.truth.window.to);
      const expected = age < 32 ? 0 : age < 92 ? 1 : age < 367 ? 2 : 3;
      expect(r.storage_class, `${r.key}: ${age} days`).toBe(rank[expected]);
      expect(r.mode).toBe('COMPLIANCE');
      expect(r.hold).toBe(c.legal_hold ? 'ON' : 'OFF');
      const adult = addYears(c.study_date, c.modality === 'MG' ? 10 : 7);
      const minor = addYears(c.patient_birth_date, 24);
      expect(r.until).toBe(c.retention_class === 'pediatric' && minor > adult ? minor : adult);
    }
  });

  it('writes the catalog with the DDL columns and realistic values', async () => {
    const cols = await query<{ column_name: string; column_type: string }>(
      `DESCRIBE SELECT * FROM read_parquet('${path.join(lake.root, DEFAULT_LAYOUT.catalogPrefix)}*.parquet')`,
    );
    const ddl = tableDefinition('study_catalog').columns;
    expect(cols.map((c) => c.column_name)).toEqual(ddl.map((c) => c.name));
    expect(cols.map((c) => c.column_type)).toEqual(['VARCHAR', 'VARCHAR', 'VARCHAR', 'VARCHAR', 'VARCHAR', 'VARCHAR', 'VARCHAR', 'VARCHAR', 'DATE', 'DATE', 'VARCHAR', 'BOOLEAN', 'BOOLEAN', 'VARCHAR']);
    const all = await query<{ accession_number: string; study_instance_uid: string; image_set_id: string; modality: string; study_date: string; patient_birth_date: string; retention_class: string; patient_id_hash: string; facility: string }>(
      `SELECT accession_number, study_instance_uid, image_set_id, modality, CAST(study_date AS VARCHAR) AS study_date,
              CAST(patient_birth_date AS VARCHAR) AS patient_birth_date, retention_class, patient_id_hash, facility
       FROM read_parquet('${path.join(lake.root, DEFAULT_LAYOUT.catalogPrefix)}*.parquet')`,
    );
    // the canary row (lib/lake/catalog-canary.ts) is the one row that is not a study
    expect(all.filter((r) => r.accession_number === CANARY_ACCESSION)).toHaveLength(1);
    const rows = all.filter((r) => r.accession_number !== CANARY_ACCESSION);
    expect(new Set(rows.map((r) => r.study_instance_uid)).size).toBe(rows.length);
    expect(new Set(rows.map((r) => r.facility)).size).toBe(14);
    for (const r of rows) {
      expect(r.accession_number).toMatch(/^A\d+$/);
      expect(r.image_set_id).toMatch(/^[0-9a-z]{32}$/);
      expect(r.patient_id_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(r.study_instance_uid).toMatch(/^(1\.2\.840\.113619\.2\.|2\.25\.)[0-9.]+$/);
      expect(r.study_instance_uid.length).toBeLessThanOrEqual(64);
      expect(['CT', 'MR', 'MG', 'CR', 'DX', 'US', 'XA', 'NM', 'PT', 'SM']).toContain(r.modality);
      expect(r.retention_class).toBe(addYears(r.patient_birth_date, 18) > r.study_date ? 'pediatric' : 'adult');
    }
    const years = rows.map((r) => dayDiff(r.study_date, lake.truth.window.to) / 365.25);
    expect(Math.max(...years)).toBeGreaterThan(10);
    expect(years.filter((y) => y > 7).length).toBeGreaterThan(0);
    expect(rows.filter((r) => r.retention_class === 'pediatric').length).toBeGreaterThan(0);
  });
});

describe('generateLake: truth.json against the files', () => {
  it('lists every access to each planted patient, exactly as the logs show them', () => {
    const kinds = lake.truth.patients.map((p) => p.kind);
    for (const k of ['adult', 'pediatric', 'vip', 'no-access', 's3-only'] as const) expect(kinds).toContain(k);
    for (const p of lake.truth.patients) {
      const studies = new Set(p.studies.map((s) => s.studyInstanceUid));
      expect(lake.catalog.filter((c) => studies.has(c.study_instance_uid)).every((c) => c.patient_id_hash === p.patientIdHash)).toBe(true);
      expect(p.accesses).toEqual(lake.accesses.filter((a) => studies.has(a.studyInstanceUid)));
      if (p.kind === 'no-access') expect(p.accesses).toHaveLength(0);
      else expect(p.accesses.length).toBeGreaterThanOrEqual(3);
    }
    const adult = lake.truth.patients.find((p) => p.kind === 'adult')!;
    expect(adult.accesses.some((a) => localHour(a.time) < 7 || localHour(a.time) >= 19)).toBe(true);
    const all = lake.truth.patients.flatMap((p) => p.accesses);
    expect(all.some((a) => a.outcome !== 'success')).toBe(true);
    const s3only = lake.truth.patients.find((p) => p.kind === 's3-only')!;
    expect(s3only.accesses.every((a) => a.source === 's3')).toBe(true);
    const gap = lake.truth.coverageGaps[0]!;
    const inGap = s3only.accesses.filter((a) => a.time >= gap.from && a.time < gap.to);
    expect(inGap).toHaveLength(1);
    expect(inGap[0]!.sources).toEqual(['s3_access_log']);
    expect(inGap[0]!.eventId).toBeNull();
    const lines = new Set(lake.logLines.map((l) => l.fields[5]));
    for (const a of all) {
      if (a.eventId) expect(lake.records.get(a.eventId)?.eventName).toBe(a.action);
      if (a.requestId) expect(lines.has(a.requestId)).toBe(a.sources.includes('s3_access_log'));
    }
  });

  it('lists every VIP access', () => {
    const vip = new Map(lake.catalog.filter((c) => c.vip).map((c) => [c.study_instance_uid, c.patient_id_hash]));
    const expected = lake.accesses
      .filter((a) => vip.has(a.studyInstanceUid))
      .map((a) => ({ patientIdHash: vip.get(a.studyInstanceUid), studyInstanceUid: a.studyInstanceUid, principal: a.principal, time: a.time, action: a.action, source: a.source }));
    expect(lake.truth.vipAccesses).toEqual(expected);
    const facilityOf = (arn: string) => arn.split('@')[1];
    const vipPatients = lake.truth.patients.filter((p) => p.kind === 'vip');
    expect(vipPatients.length).toBeGreaterThan(0);
    expect(new Set(lake.truth.vipAccesses.map((a) => facilityOf(a.principal))).size).toBeGreaterThan(vipPatients.length);
  });

  it('counts after-hours accesses, failures and refused Decrypt calls as the logs show them', () => {
    const [start, end] = lake.truth.businessHours;
    const after = lake.accesses.filter((a) => localHour(a.time) < start || localHour(a.time) >= end);
    expect(lake.truth.afterHours.count).toBe(after.length);
    expect(after.length).toBeGreaterThan(0);
    expect(after.length).toBeLessThan(lake.accesses.length / 2);

    // per person (the session name behind a role, else the principal) and UTC day
    const hashOf = new Map(lake.catalog.map((c) => [c.study_instance_uid, c.patient_id_hash]));
    const nights = new Map<string, { requests: number; studies: Set<string>; patients: Set<string> }>();
    for (const a of after) {
      const person = a.principal.includes(':assumed-role/') ? a.principal.split('/')[2]! : a.principal;
      const k = `${a.time.slice(0, 10)}\t${person}`;
      const n = nights.get(k) ?? { requests: 0, studies: new Set(), patients: new Set() };
      n.requests++;
      n.studies.add(a.studyInstanceUid);
      n.patients.add(hashOf.get(a.studyInstanceUid)!);
      nights.set(k, n);
    }
    const expected = [...nights.entries()]
      .sort(([x], [y]) => (x < y ? -1 : 1))
      .map(([k, n]) => ({ person: k.split('\t')[1], day: k.split('\t')[0], requests: n.requests, studies: n.studies.size, patients: n.patients.size }));
    expect(lake.truth.afterHours.byPersonDay).toEqual(expected);
    expect(lake.truth.afterHours.byPersonDay.some((n) => n.patients > 1)).toBe(true);

    const failed = new Map<string, number>();
    const bump = (k: string) => failed.set(k, (failed.get(k) ?? 0) + 1);
    const inWindow = (t: string) => t >= `${lake.truth.window.from}T` && t.slice(0, 10) <= lake.truth.window.to;
    for (const r of lake.records.values()) {
      if (!r.errorCode?.includes('AccessDenied') || !inWindow(r.eventTime)) continue;
      if (r.eventSource === 'kms.amazonaws.com') bump(`${r.userIdentity.arn}\tkms`);
      if (r.eventSource === 'medical-imaging.amazonaws.com') bump(`${r.userIdentity.arn}\thealthimaging`);
    }
    for (const a of lake.accesses) if (a.source === 's3' && a.outcome !== 'success') bump(`${a.principal}\ts3`);
    expect(new Map(lake.truth.failedAccess.map((f) => [`${f.principal}\t${f.source}`, f.count]))).toEqual(failed);
    expect(lake.truth.failedAccess.some((f) => f.source === 'healthimaging')).toBe(true);

    const hourly = new Map<string, number>();
    const burst: string[] = [];
    for (const r of lake.records.values()) {
      if (r.eventSource !== 'kms.amazonaws.com' || r.eventName !== 'Decrypt' || !r.errorCode || !inWindow(r.eventTime)) continue;
      const keyArn = /arn:aws:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]+/.exec(r.errorMessage!)![0];
      const k = `${r.eventTime.slice(0, 13)}:00:00Z\t${keyArn}\t${r.userIdentity.arn}`;
      hourly.set(k, (hourly.get(k) ?? 0) + 1);
      if (r.eventTime >= lake.truth.decryptDenied.from && r.eventTime <= lake.truth.decryptDenied.to) burst.push(r.eventTime);
    }
    expect(new Map(lake.truth.decryptDeniedHourly.map((h) => [`${h.hour}\t${h.keyArn}\t${h.principal}`, h.count]))).toEqual(hourly);
    expect(lake.truth.decryptDenied.count).toBe(burst.length);
    expect(burst.length).toBeGreaterThanOrEqual(30);
    const policies = [...lake.records.values()].filter((r) => r.eventName === 'PutKeyPolicy').map((r) => r.eventTime).sort();
    expect(policies[0]! <= lake.truth.decryptDenied.from).toBe(true);
    expect(Date.parse(lake.truth.decryptDenied.from) - Date.parse(policies[0]!)).toBeLessThan(10 * 60_000);
    expect(policies[1]! >= lake.truth.decryptDenied.to).toBe(true);
  });

  it('describes the investigated user and the bulk export, and no one else reads more than 20 studies in an hour', () => {
    const inv = lake.truth.investigatedUser;
    const mine = lake.accesses.filter((a) => a.principal === inv.principal);
    expect(inv.accesses).toBe(mine.length);
    expect(mine.length).toBeGreaterThanOrEqual(10);
    expect([inv.from, inv.to]).toEqual([mine[0]!.time, mine.at(-1)!.time]);
    expect(inv.studies).toEqual([...new Set(mine.map((a) => a.studyInstanceUid))].sort());
    const hashOf = new Map(lake.catalog.map((c) => [c.study_instance_uid, c.patient_id_hash]));
    expect(inv.patientIdHashes).toEqual([...new Set(inv.studies.map((s) => hashOf.get(s)!))].sort());
    expect(inv.patientIdHashes.length).toBeGreaterThanOrEqual(3);
    const email = inv.principal.split('/')[2]!;
    const events = [...lake.records.values()].filter((r) => r.userIdentity.arn === inv.principal || r.userIdentity.userName === email);
    expect(events.every((r) => r.eventSource === 'sts.amazonaws.com' || r.eventSource === 'medical-imaging.amazonaws.com' || r.eventSource === 's3.amazonaws.com' || r.eventSource === 'kms.amazonaws.com')).toBe(true);

    const bulk = lake.truth.bulkAccess;
    const reads = lake.accesses.filter((a) => a.principal === bulk.principal);
    expect(reads.every((a) => a.action === 'GetObject')).toBe(true);
    expect(new Set(reads.map((a) => a.studyInstanceUid)).size).toBe(bulk.distinctStudies);
    expect(bulk.distinctStudies).toBeGreaterThanOrEqual(150);
    expect([bulk.from, bulk.to]).toEqual([reads[0]!.time, reads.at(-1)!.time]);
    expect(Date.parse(bulk.to) - Date.parse(bulk.from)).toBeLessThanOrEqual(2.5 * 3_600_000);
    const hours = new Map<string, Access[]>();
    for (const a of reads) hours.set(`${a.time.slice(0, 13)}:00:00Z`, [...(hours.get(`${a.time.slice(0, 13)}:00:00Z`) ?? []), a]);
    expect(bulk.hours).toEqual(
      [...hours.entries()].map(([hour, list]) => ({
        hour,
        distinctStudies: new Set(list.map((a) => a.studyInstanceUid)).size,
        accesses: list.length,
        denied: list.filter((a) => a.outcome !== 'success').length,
        firstAccess: list[0]!.time,
        lastAccess: list.at(-1)!.time,
      })),
    );

    const perHour = new Map<string, Set<string>>();
    for (const a of lake.accesses) {
      const k = `${a.principal}\t${a.time.slice(0, 13)}`;
      perHour.set(k, (perHour.get(k) ?? new Set()).add(a.studyInstanceUid));
    }
    for (const [k, studies] of perHour) if (!k.startsWith(`${bulk.principal}\t`)) expect(studies.size, k).toBeLessThanOrEqual(20);
    expect([...perHour].filter(([k, s]) => k.startsWith(`${bulk.principal}\t`) && s.size > 20).length).toBeGreaterThan(0);
  });

  it('lists the studies past retention on window.to that are not on legal hold', () => {
    const asOf = lake.truth.window.to;
    const due = lake.catalog
      .filter((c) => {
        if (c.legal_hold) return false;
        const byStudy = addYears(c.study_date, c.modality === 'MG' ? 10 : 7);
        const until = c.retention_class === 'pediatric' && addYears(c.patient_birth_date, 24) > byStudy ? addYears(c.patient_birth_date, 24) : byStudy;
        return until < asOf;
      })
      .map((c) => c.study_instance_uid)
      .sort();
    expect(lake.truth.retentionDue).toEqual(due);
    expect(due.length).toBeGreaterThan(0);
    const planted = lake.truth.patients.flatMap((p) => p.studies.map((s) => ({ kind: p.kind, ...s })));
    const oldPediatric = planted.find((s) => s.kind === 'pediatric' && dayDiff(s.studyDate, asOf) > 7 * 366)!;
    expect(due).not.toContain(oldPediatric.studyInstanceUid);
    const heldOld = planted.find((s) => s.kind === 'no-access' && dayDiff(s.studyDate, asOf) > 7 * 366)!;
    expect(lake.catalog.find((c) => c.study_instance_uid === heldOld.studyInstanceUid)!.legal_hold).toBe(true);
    expect(due).not.toContain(heldOld.studyInstanceUid);
    // mammography is kept 10 years: studies between 7 and 10 years old are not due, older ones are
    const mammograms = lake.catalog.filter((c) => c.modality === 'MG' && !c.legal_hold);
    const between = mammograms.filter((c) => addYears(c.study_date, 7) < asOf && addYears(c.study_date, 10) >= asOf);
    const older = mammograms.filter((c) => addYears(c.study_date, 10) < asOf);
    expect(between.length).toBeGreaterThan(0);
    expect(older.length).toBeGreaterThan(0);
    for (const c of between) expect(due).not.toContain(c.study_instance_uid);
    for (const c of older) expect(due).toContain(c.study_instance_uid);
    // a minor's study is kept to the 24th birthday (21 + 3) when that comes later than 7 years
    const kept = lake.catalog.filter(
      (c) => c.retention_class === 'pediatric' && !c.legal_hold && addYears(c.study_date, 7) < asOf && addYears(c.patient_birth_date, 24) >= asOf,
    );
    expect(kept.length).toBeGreaterThan(0);
    for (const c of kept) expect(due).not.toContain(c.study_instance_uid);
  });

  it('keeps identifiers consistent between truth.json, the catalog and the logs', () => {
    expect(lake.truth.window).toEqual({ from: '2026-10-25', to: '2026-10-31' });
    expect(lake.truth.options).toEqual({ days: OPTIONS.days, eventsPerDay: OPTIONS.eventsPerDay, end: OPTIONS.end });
    const imaging = [...lake.records.values()].filter((r) => r.eventSource === 'medical-imaging.amazonaws.com' && r.requestParameters?.datastoreId);
    expect(imaging.every((r) => r.requestParameters!.datastoreId === lake.truth.datastoreIds[r.awsRegion])).toBe(true);
    for (const p of lake.truth.patients) {
      for (const s of p.studies) {
        const c = lake.catalog.find((x) => x.study_instance_uid === s.studyInstanceUid)!;
        expect([c.image_set_id, c.study_date]).toEqual([s.imageSetId, s.studyDate]);
      }
    }
    const text = lake.ctFiles.map((f) => f.text).join('') + lake.logLines.map((l) => l.text).join('');
    for (const p of lake.truth.patients) expect(text).not.toContain(p.mrn);
  });
});

const REAL = path.resolve(process.cwd(), '../shared/fixtures/real');
const realPresent = existsSync(REAL);

describe.skipIf(!realPresent)(`generateLake: the shapes of real AWS output (skipped: ${REAL} is absent)`, () => {
  const real = (rel: string) => path.join(REAL, rel);

  it('writes digests with the keys, in the order, of a real CloudTrail digest', async () => {
    const sample = JSON.parse((await fs.readFile(real('cloudtrail/elastic-integrations_pipeline-tests/test-cloudtrail-digest-json.log'), 'utf8')).split('\n')[0]!) as {
      logFiles: Record<string, unknown>[];
    };
    const digests = (await walk(path.join(lake.root, 'AWSLogs'))).filter((f) => parseCloudTrailDigestKey(path.relative(lake.root, f)));
    let withFiles = 0;
    for (const f of digests.slice(0, 50)) {
      const ours = JSON.parse(zlib.gunzipSync(await fs.readFile(f)).toString('utf8')) as { logFiles: Record<string, unknown>[] };
      expect(Object.keys(ours)).toEqual(Object.keys(sample));
      for (const lf of ours.logFiles) expect(Object.keys(lf)).toEqual(Object.keys(sample.logFiles[0]!));
      withFiles += ours.logFiles.length > 0 ? 1 : 0;
    }
    expect(withFiles).toBeGreaterThan(0);
  });

  it('writes inventory manifests and CSV rows shaped like a real S3 Inventory report', async () => {
    const sample = JSON.parse(await fs.readFile(real('s3_inventory/orcabus_filemanager/csv_inventory_manifest.json'), 'utf8')) as Record<string, unknown> & {
      files: Record<string, unknown>[];
      fileSchema: string;
    };
    const base = path.join(lake.root, DEFAULT_LAYOUT.inventoryPrefix, 'custos-demo-imaging-archive/daily-full');
    const stamp = (await fs.readdir(base)).filter((e) => e !== 'hive' && e !== 'data').sort()[0]!;
    const ours = JSON.parse(await fs.readFile(path.join(base, stamp, 'manifest.json'), 'utf8')) as typeof sample;
    expect(Object.keys(ours)).toEqual(Object.keys(sample));
    expect(Object.keys(ours.files[0]!)).toEqual(Object.keys(sample.files[0]!));
    expect(ours.fileSchema).toBe(sample.fileSchema);
    const shape = (line: string) =>
      line
        .slice(1, -1)
        .split('","')
        .map((v) => (v === '' ? 'empty' : /^(true|false)$/.test(v) ? 'bool' : /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(v) ? 'time' : /^\d+$/.test(v) ? 'int' : 'text'));
    const realRows = zlib.gunzipSync(await fs.readFile(real('s3_inventory/orcabus_filemanager/csv_inventory.csv.gz'))).toString('utf8').trimEnd().split('\n');
    const ourRows = zlib.gunzipSync(await fs.readFile(path.join(lake.root, ours.files[0]!.key as string))).toString('utf8').trimEnd().split('\n');
    const realVersion = shape(realRows.find((r) => /^"[^"]*","[^"]*","[^"]+","true","false"/.test(r))!);
    const ourVersion = shape(ourRows.find((r) => r.includes('","true","false","'))!);
    for (const i of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 16]) expect(ourVersion[i], `field ${i}`).toBe(realVersion[i]);
    const realDeleteMarker = shape(realRows.find((r) => r.includes('","true","true","'))!);
    const ourDeleteMarkers = (
      await Promise.all(ours.files.map(async (f) => zlib.gunzipSync(await fs.readFile(path.join(lake.root, f.key as string))).toString('utf8').split('\n')))
    )
      .flat()
      .filter((r) => r.includes('","true","true","'));
    expect(ourDeleteMarkers.length).toBeGreaterThan(0);
    for (const r of ourDeleteMarkers) expect(shape(r)).toEqual(realDeleteMarker);
  });

  it('writes access log lines that split into the same fields as real ones under the table regex', async () => {
    const regex = new RegExp(tableDefinition('s3_access_logs').serdeProperties['input.regex']!.replace(/\\(.)/g, '$1'));
    const realLines = (await fs.readFile(real('s3_access_logs/awsdocs_LogFormat_examples.log'), 'utf8')).split('\n').filter(Boolean);
    for (const l of realLines) expect(regex.exec(l), l).not.toBeNull();
    const put = lake.logLines.find((l) => l.fields[6] === 'REST.PUT.OBJECT' && l.fields.length === 27)!;
    const realPut = realLines.map(logFields).find((f) => f[6] === 'REST.PUT.OBJECT')!;
    const kind = (v: string) => (v === '-' ? '-' : v.startsWith('"') ? 'quoted' : v.startsWith('[') ? 'time' : /^\d+$/.test(v) ? 'int' : 'text');
    expect(put.fields.slice(0, realPut.length).map(kind)).toEqual(realPut.map(kind));
  });

  it('writes S3 data events with every field a real S3 PutObject event has', async () => {
    const realEvent = JSON.parse((await fs.readFile(real('cloudtrail/elastic-integrations_pipeline-tests/test-put-object-json.log'), 'utf8')).split('\n')[0]!) as Record<string, unknown> & {
      additionalEventData: Record<string, unknown>;
      requestParameters: Record<string, unknown>;
    };
    const ours = [...lake.records.values()].find((r) => r.eventName === 'PutObject')!;
    for (const k of Object.keys(realEvent)) expect(Object.keys(ours), k).toContain(k);
    for (const k of Object.keys(realEvent.additionalEventData)) expect(Object.keys(ours.additionalEventData!), k).toContain(k);
    for (const k of Object.keys(realEvent.requestParameters)) expect(Object.keys(ours.requestParameters!), k).toContain(k);
  });
});
