import { describe, expect, it } from 'vitest';
import { patientIdHash } from '@/lib/phi';
import {
  auditEventBundleJson,
  toAuditEventBundle,
  type AccessRecord,
  type BundleMeta,
} from '@/lib/fhir/audit-event-bundle';
import { auditEventBundleSchema } from '@/lib/fhir/validate';

const MRN = 'MRN0031337';
const META: BundleMeta = {
  patientIdHash: patientIdHash(MRN, 'bundle-key'),
  generatedAt: '2024-07-01T09:30:00Z',
  runId: '3b0f6a1e-2f55-4c61-9d8e-6f3d1f0f2a10',
};

const ACTIONS: Array<[AccessRecord['source'], string, string]> = [
  ['healthimaging', 'GetImageSetMetadata', 'success'],
  ['healthimaging', 'GetImageFrame', 'success'],
  ['healthimaging', 'DeleteImageSet', 'AccessDeniedException'],
  ['s3', 'GetObject', 'success'],
  ['s3', 'PutObject', 'success'],
  ['s3', 'GetObject', 'HTTP 403'],
  ['s3', 'DeleteObject', 'success'],
];

function rowAt(i: number): AccessRecord {
  const [source, action, outcome] = ACTIONS[i % ACTIONS.length]!;
  const second = String(i % 60).padStart(2, '0');
  const minute = String(Math.floor(i / 60) % 60).padStart(2, '0');
  return {
    event_time: `2024-06-30T10:${minute}:${second}Z`,
    principal: `arn:aws:sts::111122223333:assumed-role/Reader/user${i % 7}@hospital.example`,
    federated_user: `user${i % 7}@hospital.example`,
    role: 'Reader',
    action,
    source,
    study_instance_uid: `1.2.840.99999.${i % 13}`,
    accession_number: `ACC${i % 13}`,
    modality: 'CT',
    source_ip: i % 5 === 0 ? 's3.amazonaws.com' : `203.0.113.${i % 250}`,
    user_agent: 'viewer/2.3',
    outcome,
    sources: source === 's3' ? 'cloudtrail,kms,s3_access_log' : 'cloudtrail',
    request_id: `req-${i}`,
    event_id: `evt-${i}`,
  };
}

const rows = (n: number) => Array.from({ length: n }, (_, i) => rowAt(i));

async function* lazily(n: number, onRow: (i: number) => void = () => {}): AsyncGenerator<AccessRecord> {
  for (let i = 0; i < n; i++) {
    onRow(i);
    yield rowAt(i);
  }
}

async function collect(chunks: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const chunk of chunks) out.push(chunk);
  return out;
}

const schema = auditEventBundleSchema({ requirePatient: true, forbiddenText: [MRN] });

describe('the AuditEvent Bundle', () => {
  it('is a valid R4 collection with one urn:uuid entry per row', () => {
    const bundle = toAuditEventBundle(rows(21), META);
    const result = schema.safeParse(bundle);
    expect(result.success, JSON.stringify(result.error?.issues)).toBe(true);
    expect(bundle).toMatchObject({
      resourceType: 'Bundle',
      type: 'collection',
      timestamp: '2024-07-01T09:30:00Z',
      identifier: { system: 'urn:custos:run-id', value: META.runId },
    });
    expect(bundle.entry).toHaveLength(21);
    for (const entry of bundle.entry!) expect(entry.fullUrl).toBe(`urn:uuid:${entry.resource!.id}`);
    expect(new Set(bundle.entry!.map((e) => e.fullUrl)).size).toBe(21);
  });

  it('links the run page of the portal when a portal URL is given', () => {
    expect(toAuditEventBundle([], META).link).toBeUndefined();
    for (const portalUrl of ['https://custos.example.org', 'https://custos.example.org/']) {
      expect(toAuditEventBundle([], { ...META, portalUrl }).link).toEqual([
        { relation: 'related', url: `https://custos.example.org/audit/runs/${META.runId}` },
      ]);
    }
    const nested = toAuditEventBundle([], { ...META, portalUrl: 'https://example.org/custos', runId: 'a b' });
    expect(nested.link?.[0]?.url).toBe('https://example.org/custos/audit/runs/a%20b');
  });

  it('has no entry element when the run has no rows (FHIR JSON has no empty arrays)', async () => {
    const bundle = toAuditEventBundle([], META);
    expect(bundle.entry).toBeUndefined();
    expect(schema.safeParse(bundle).success).toBe(true);
    const streamed = (await collect(auditEventBundleJson(lazily(0), META))).join('');
    expect(JSON.parse(streamed)).toEqual(bundle);
  });

  it('refuses a meta without a usable timestamp or run id', () => {
    expect(() => toAuditEventBundle([], { ...META, generatedAt: '2024-07-01' })).toThrow(/generatedAt/);
    expect(() => toAuditEventBundle([], { ...META, runId: ' ' })).toThrow(/runId/);
  });
});

describe('the streamed Bundle', () => {
  it('parses to the same Bundle, byte for byte the same JSON as the whole one', async () => {
    const whole = toAuditEventBundle(rows(40), META);
    const text = (await collect(auditEventBundleJson(lazily(40), META))).join('');
    expect(JSON.parse(text)).toEqual(whole);
    expect(text).toBe(JSON.stringify(whole));
  });

  it('accepts a plain array as well as an async source', async () => {
    const fromArray = (await collect(auditEventBundleJson(rows(5), META))).join('');
    expect(fromArray).toBe(JSON.stringify(toAuditEventBundle(rows(5), META)));
  });

  it('is produced while rows arrive, in bounded chunks, for a large run', async () => {
    const total = 5000;
    let produced = 0;
    const chunks: string[] = [];
    let producedAtFirstChunk = -1;
    for await (const chunk of auditEventBundleJson(lazily(total, (i) => (produced = i + 1)), META)) {
      if (producedAtFirstChunk < 0) producedAtFirstChunk = produced;
      chunks.push(chunk);
    }
    expect(producedAtFirstChunk).toBeGreaterThan(0);
    expect(producedAtFirstChunk).toBeLessThan(total);
    expect(chunks.length).toBeGreaterThan(10);
    const longestEntry = Math.max(...toAuditEventBundle(rows(ACTIONS.length * 2), META).entry!.map((e) => JSON.stringify(e).length));
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(64 * 1024 + longestEntry + 16);
    const parsed: unknown = JSON.parse(chunks.join(''));
    const result = schema.safeParse(parsed);
    expect(result.success, JSON.stringify(result.error?.issues.slice(0, 3))).toBe(true);
    expect((parsed as { entry: unknown[] }).entry).toHaveLength(total);
  });

  it('stops with the error of a row that cannot be exported', async () => {
    async function* broken(): AsyncGenerator<AccessRecord> {
      yield rowAt(0);
      yield { ...rowAt(1), event_time: 'not a time' };
    }
    await expect(collect(auditEventBundleJson(broken(), META))).rejects.toThrow(/event_time/);
  });
});

describe('repeated rows', () => {
  it('write a row repeated verbatim once, so fullUrls stay unique', async () => {
    const repeated = [rowAt(0), rowAt(1), rowAt(1), rowAt(2), rowAt(1)];
    const bundle = toAuditEventBundle(repeated, META);
    expect(bundle.entry!.map((e) => e.resource!.id)).toEqual(toAuditEventBundle([rowAt(0), rowAt(1), rowAt(2)], META).entry!.map((e) => e.resource!.id));
    expect((await collect(auditEventBundleJson(repeated, META))).join('')).toBe(JSON.stringify(bundle));
  });

  it('give rows that share an identity but differ their own content-derived ids', () => {
    const first = rowAt(3);
    const second = { ...first, outcome: 'AccessDenied' };
    const bundle = toAuditEventBundle([first, second, second], META);
    expect(bundle.entry).toHaveLength(2);
    expect(bundle.entry![0]!.resource!.id).toBe(toAuditEventBundle([first], META).entry![0]!.resource!.id);
    expect(bundle.entry![1]!.resource!.outcome).toBe('4');
    expect(schema.safeParse(bundle).success).toBe(true);
    expect(toAuditEventBundle([first, second], META)).toEqual(toAuditEventBundle([first, second], META));
  });
});

describe('exporting the same run twice', () => {
  it('gives the same Bundle content', async () => {
    const first = (await collect(auditEventBundleJson(lazily(30), META))).join('');
    const second = (await collect(auditEventBundleJson(lazily(30), META))).join('');
    expect(second).toBe(first);
  });

  it('keeps event ids across runs; the Bundle id follows the run', () => {
    const a = toAuditEventBundle(rows(10), META);
    const b = toAuditEventBundle(rows(10), { ...META, runId: 'another-run', generatedAt: '2024-08-01T00:00:00Z' });
    expect(b.id).not.toBe(a.id);
    expect(b.entry!.map((e) => e.resource!.id)).toEqual(a.entry!.map((e) => e.resource!.id));
    expect(toAuditEventBundle(rows(10), META).id).toBe(a.id);
  });
});
