import { describe, expect, it } from 'vitest';
import type { Cell } from '@/lib/engine/port';
import { accessRecordReader, accessRecords } from '@/lib/fhir/access-rows';
import { auditEventBundleJson } from '@/lib/fhir/audit-event-bundle';
import { auditEventBundleSchema } from '@/lib/fhir/validate';

// The result columns of queries/patient-access-history.sql, in its order.
const COLUMNS = [
  'event_time', 'principal', 'federated_user', 'role', 'action', 'source', 'study_instance_uid',
  'accession_number', 'modality', 'source_ip', 'user_agent', 'outcome', 'sources', 'request_id', 'event_id',
].map((name) => ({ name, type: 'varchar' as const }));

const ROW: Cell[] = [
  '2024-05-01T14:03:22Z',
  'arn:aws:sts::111122223333:assumed-role/RadiologistAccess/dr.lee@hospital.example',
  'dr.lee@hospital.example',
  'RadiologistAccess',
  'GetObject',
  's3',
  '1.2.3.4',
  'ACC1',
  'CT',
  '198.51.100.23',
  'viewer/1.0',
  'success',
  'cloudtrail,s3_access_log',
  'REQ1',
  null,
];

describe('access rows from the engine', () => {
  it('are read by column name into access records', () => {
    const record = accessRecordReader(COLUMNS)(ROW);
    expect(record).toEqual({
      event_time: '2024-05-01T14:03:22Z',
      principal: 'arn:aws:sts::111122223333:assumed-role/RadiologistAccess/dr.lee@hospital.example',
      federated_user: 'dr.lee@hospital.example',
      role: 'RadiologistAccess',
      action: 'GetObject',
      source: 's3',
      study_instance_uid: '1.2.3.4',
      accession_number: 'ACC1',
      modality: 'CT',
      source_ip: '198.51.100.23',
      user_agent: 'viewer/1.0',
      outcome: 'success',
      sources: 'cloudtrail,s3_access_log',
      request_id: 'REQ1',
      event_id: null,
    });
    expect('patient_id_hash' in record).toBe(false);
  });

  it('accept other column orders, absent optional columns and a per-row patient hash', () => {
    const hash = 'b'.repeat(64);
    const read = accessRecordReader(['patient_id_hash', 'outcome', 'source', 'action', 'event_time']);
    expect(read([hash, 'AccessDenied', 'healthimaging', 'GetImageFrame', '2024-05-01T14:03:22Z'])).toMatchObject({
      patient_id_hash: hash,
      outcome: 'AccessDenied',
      source: 'healthimaging',
      principal: null,
      sources: '',
    });
  });

  it('refuse results without the columns the export needs, or with values it cannot use', () => {
    expect(() => accessRecordReader(['event_time', 'action'])).toThrow('access rows lack the column(s) source, outcome');
    const read = accessRecordReader(COLUMNS);
    expect(() => read(ROW.map((c, i) => (i === 5 ? 'kms' : c)))).toThrow('unknown source');
    expect(() => read(ROW.map((c, i) => (i === 0 ? null : c)))).toThrow('access row has no event_time');
    expect(() => read(ROW.map((c, i) => (i === 1 ? ['a', 'b'] : c)))).toThrow('column principal holds a list');
  });

  it('stream from engine batches into a valid Bundle', async () => {
    async function* batches(): AsyncGenerator<Cell[][]> {
      yield [ROW, ROW.map((c, i) => (i === 13 ? 'REQ2' : c))];
      yield [ROW.map((c, i) => (i === 13 ? 'REQ3' : i === 4 ? 'PutObject' : c))];
    }
    const records = [];
    for await (const r of accessRecords(COLUMNS, batches())) records.push(r);
    expect(records.map((r) => [r.request_id, r.action])).toEqual([
      ['REQ1', 'GetObject'],
      ['REQ2', 'GetObject'],
      ['REQ3', 'PutObject'],
    ]);
    let json = '';
    const meta = { patientIdHash: 'c'.repeat(64), generatedAt: '2024-05-02T00:00:00Z', runId: 'r' };
    for await (const chunk of auditEventBundleJson(accessRecords(COLUMNS, batches()), meta)) json += chunk;
    const parsed = auditEventBundleSchema({ requirePatient: true }).parse(JSON.parse(json));
    expect(parsed.entry).toHaveLength(3);
  });
});
