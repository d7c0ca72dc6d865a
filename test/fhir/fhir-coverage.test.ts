import { describe, expect, it } from 'vitest';
import type { LogCoverage } from '@/lib/engine/port';
import { auditEventBundleJson, toAuditEventBundle, type AccessRecord, type BundleMeta } from '@/lib/fhir/audit-event-bundle';
import { EXTENSION } from '@/lib/fhir/codes';
import { auditEventBundleSchema } from '@/lib/fhir/validate';

// The Bundle states the log coverage of the run's window as an extension on Bundle.meta (a Bundle
// is a Resource, which has no `extension` of its own), even when the run found no rows.

const META: BundleMeta = { patientIdHash: null, generatedAt: '2026-11-02T09:30:00Z', runId: '3b0f6a1e-2f55-4c61-9d8e-6f3d1f0f2a10' };

const COVERAGE: LogCoverage = {
  from: '2026-10-11',
  to: '2026-10-31',
  sources: {
    cloudtrail: { daysWithLogs: 21, daysWithout: 0, gaps: [{ from: '2026-10-12T04:00:00Z', to: '2026-10-12T07:00:00Z' }], firstDay: '2026-10-11', lastDay: '2026-10-31' },
    s3_access_logs: { daysWithLogs: 0, daysWithout: 21, gaps: [{ from: '2026-10-11T00:00:00Z', to: '2026-11-01T00:00:00Z' }], firstDay: null, lastDay: null },
  },
};

const row: AccessRecord = {
  event_time: '2026-10-20T10:00:00Z',
  principal: 'arn:aws:sts::111122223333:assumed-role/Reader/user@hospital.example',
  federated_user: 'user@hospital.example',
  role: 'Reader',
  action: 'GetObject',
  source: 's3',
  study_instance_uid: '1.2.840.99999.1',
  accession_number: 'ACC1',
  modality: 'CT',
  source_ip: '203.0.113.5',
  user_agent: 'viewer/2.3',
  outcome: 'success',
  sources: 'cloudtrail,s3_access_log',
  request_id: 'req-1',
  event_id: 'evt-1',
};

async function text(chunks: AsyncIterable<string>): Promise<string> {
  let out = '';
  for await (const chunk of chunks) out += chunk;
  return out;
}

describe('the log-coverage extension', () => {
  it('carries the window and every source, gaps as half-open instants, absent days left out', () => {
    const bundle = toAuditEventBundle([], { ...META, coverage: COVERAGE });
    expect(bundle.entry).toBeUndefined();
    expect(bundle.meta).toEqual({
      extension: [
        {
          url: EXTENSION.logCoverage,
          extension: [
            { url: 'from', valueDate: '2026-10-11' },
            { url: 'to', valueDate: '2026-10-31' },
            {
              url: 'source',
              extension: [
                { url: 'name', valueCode: 'cloudtrail' },
                { url: 'daysWithLogs', valueUnsignedInt: 21 },
                { url: 'daysWithout', valueUnsignedInt: 0 },
                { url: 'firstDay', valueDate: '2026-10-11' },
                { url: 'lastDay', valueDate: '2026-10-31' },
                { url: 'gap', extension: [{ url: 'from', valueInstant: '2026-10-12T04:00:00Z' }, { url: 'to', valueInstant: '2026-10-12T07:00:00Z' }] },
              ],
            },
            {
              url: 'source',
              extension: [
                { url: 'name', valueCode: 's3_access_logs' },
                { url: 'daysWithLogs', valueUnsignedInt: 0 },
                { url: 'daysWithout', valueUnsignedInt: 21 },
                { url: 'gap', extension: [{ url: 'from', valueInstant: '2026-10-11T00:00:00Z' }, { url: 'to', valueInstant: '2026-11-01T00:00:00Z' }] },
              ],
            },
          ],
        },
      ],
    });
    expect(EXTENSION.logCoverage).toBe('urn:custos:fhir:extension:log-coverage');
  });

  it('keeps the Bundle valid R4, streamed byte for byte like the whole one', async () => {
    const meta = { ...META, coverage: COVERAGE };
    for (const rows of [[], [row]]) {
      const whole = toAuditEventBundle(rows, meta);
      const result = auditEventBundleSchema().safeParse(whole);
      expect(result.success, JSON.stringify(result.error?.issues)).toBe(true);
      expect(await text(auditEventBundleJson(rows, meta))).toBe(JSON.stringify(whole));
    }
  });

  it('is left out for a run without coverage, and the validator holds extensions to ext-1', () => {
    expect(toAuditEventBundle([], { ...META, coverage: null }).meta).toBeUndefined();
    const bundle = toAuditEventBundle([], { ...META, coverage: COVERAGE });
    const both = structuredClone(bundle) as unknown as { meta: { extension: Record<string, unknown>[] } };
    both.meta.extension[0]!.valueCode = 'x';
    expect(auditEventBundleSchema().safeParse(both).success).toBe(false);
  });
});
