// Realistic report DTOs: a patient's access history over a month of a health system's logs, with
// a CloudTrail gap, an altered log file and a missing digest in the window.
import type { Cell, ColumnDto, PatientAccessReportDto, QueryRunReportDto, ReportHeader, ReportScope } from '@/lib/evidence/render';

export const SQL_SHA = '3f1c9a7e5b2d4c6a8e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7';
export const RESULT_SHA = 'a94f1e0c2d3b4a5968778695a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5';
export const JOURNAL_HASH = '9b8a7c6d5e4f30211203f4e5d6c7b8a99a8b7c6d5e4f30211203f4e5d6c7b8a9';
export const FINGERPRINT = '0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e';

export const ALTERED_LOG = 'AWSLogs/111122223333/CloudTrail/us-east-1/2026/02/14/111122223333_CloudTrail_us-east-1_20260214T1005Z_Qx7bA2mPz9.json.gz';
export const MISSING_DIGEST = 'AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/02/20/111122223333_CloudTrail-Digest_us-east-1_custos-trail_us-east-1_20260220T030512Z.json.gz';

export function header(kind: ReportHeader['kind'], overrides: Partial<ReportHeader> = {}): ReportHeader {
  return {
    evidenceId: kind === 'query-run' ? 'EV-2026-000117' : 'EV-2026-000118',
    kind,
    title: kind === 'query-run' ? 'Failed access' : 'Patient access report',
    generatedAt: '2026-03-02T14:05:09Z',
    generatedBy: 'Dana Whitfield (privacy officer)',
    portalVersion: '0.1.0',
    journalHead: { seq: 48213, hash: JOURNAL_HASH },
    signer: { subject: 'CN=Custos evidence signer, OU=radiology-host 5f3e2d1c, O=Custos', fingerprint: FINGERPRINT },
    ...overrides,
  };
}

export function scope(overrides: Partial<ReportScope> = {}): ReportScope {
  return {
    sources: ['CloudTrail data events: HealthImaging, S3 and KMS', 'S3 server access logs of the archive bucket', 'Study catalog'],
    window: { from: '2026-02-01', to: '2026-03-01' },
    coverage: {
      from: '2026-02-01',
      to: '2026-03-01',
      sources: {
        cloudtrail: { daysWithLogs: 26, daysWithout: 3, gaps: [{ from: '2026-02-10', to: '2026-02-11' }, { from: '2026-02-25', to: '2026-02-25' }] },
        s3_access_logs: { daysWithLogs: 29, daysWithout: 0, gaps: [] },
      },
    },
    integrity: {
      ok: false,
      regions: ['us-east-1'],
      digests: { checked: 696, valid: 695 },
      logFiles: { checked: 8412, valid: 8411 },
      problems: [
        { kind: 'altered-log', file: ALTERED_LOG, from: '2026-02-14T10:00:00Z', to: '2026-02-14T11:00:00Z' },
        { kind: 'missing-digest', file: MISSING_DIGEST, from: '2026-02-20T02:00:00Z', to: '2026-02-20T05:00:00Z' },
      ],
    },
    doesNotProve: [
      'Reads through a viewer’s service role show the role, not the person, unless the viewer passes the user as the session name.',
      'Accounts and Regions whose logs are not in the lake are not searched.',
      'That nobody looked at a printed or exported copy of the images.',
    ],
    ...overrides,
  };
}

export const QUERY_COLUMNS: ColumnDto[] = [
  { name: 'event_time', label: 'Event time', description: 'When the request happened (UTC).', kind: 'time' },
  { name: 'principal', label: 'Principal', description: 'The IAM principal (ARN) that made the request.', kind: 'id' },
  { name: 'action', label: 'Action', description: 'The API action.', kind: 'text' },
  { name: 'outcome', label: 'Outcome', description: 'The error code.', kind: 'text' },
  { name: 'attempts', label: 'Attempts', description: 'Requests with this outcome in the hour.', kind: 'number' },
  { name: 'bytes', label: 'Bytes requested', description: 'Size of the objects asked for.', kind: 'bytes' },
  { name: 'request_id', label: 'Request id', description: 'The service request id.', kind: 'id' },
];

export const marker = (i: number) => `REQ${String(i).padStart(6, '0')}`;

export function queryRow(i: number): Cell[] {
  const person = ['m.alvarez@stvincent.example.org', 'k.tanaka@northside.example.org', 'viewer-service'][i % 3]!;
  return [
    new Date(Date.UTC(2026, 1, 1, 6) + i * 613_000).toISOString().replace('.000Z', 'Z'),
    `arn:aws:sts::111122223333:assumed-role/${i % 3 === 2 ? 'PacsViewerService' : 'RadiologyReader'}/${person}`,
    ['GetImageFrame', 'GetObject', 'Decrypt'][i % 3]!,
    i % 4 === 0 ? 'AccessDenied' : 'KMS.AccessDeniedException',
    1000 + i * 3457,
    i % 5 === 0 ? null : 1_258_291 * (i % 7 + 1),
    marker(i),
  ];
}

async function* rows(count: number, make: (i: number) => Cell[]): AsyncIterable<Cell[]> {
  for (let i = 0; i < count; i++) yield make(i);
}

export function queryRunDto(rowCount = 300, overrides: Partial<QueryRunReportDto> = {}): QueryRunReportDto {
  return {
    ...header('query-run'),
    scope: scope(),
    query: {
      id: 'failed-access',
      title: 'Failed access',
      description: 'Requests for studies that failed: access denied by IAM, by a bucket policy or by KMS, by principal and hour.',
      limits: 'Only requests the trail or the access log recorded; a request blocked before it reached AWS leaves no trace here.',
      sqlSha256: SQL_SHA,
    },
    parameters: [
      { label: 'From', value: '2026-02-01' },
      { label: 'To', value: '2026-03-01' },
      { label: 'Patient MRN', value: 'P-7Q2M9X (…4821)' },
    ],
    run: {
      id: '0195f3a2-7c41-7d2e-9b1a-3c4d5e6f7a8b',
      engine: 'athena',
      executionId: 'c1a2b3d4-e5f6-4789-a0b1-c2d3e4f5a6b7',
      bytesScanned: 734_003_200,
      filesScanned: 1288,
      runBy: 'Dana Whitfield (privacy officer)',
      runAt: '2026-03-02T13:58:41Z',
      finishedAt: '2026-03-02T13:59:03Z',
      durationMs: 21_874,
      rowCount,
      resultSha256: RESULT_SHA,
    },
    columns: QUERY_COLUMNS,
    rows: rows(rowCount, queryRow),
    ...overrides,
  };
}

export const ACCESS_COLUMNS: ColumnDto[] = [
  { name: 'event_time', label: 'Event time', description: 'When the request happened.', kind: 'time' },
  { name: 'federated_user', label: 'Person', description: 'The person behind the role session.', kind: 'text' },
  { name: 'principal', label: 'Principal', description: 'The IAM principal.', kind: 'id' },
  { name: 'action', label: 'Action', description: 'The API action.', kind: 'text' },
  { name: 'study_instance_uid', label: 'Study Instance UID', description: 'The study touched.', kind: 'id' },
  { name: 'source_ip', label: 'Source IP', description: 'Where the request came from.', kind: 'text' },
  { name: 'outcome', label: 'Outcome', description: 'success, or the error code.', kind: 'text' },
  { name: 'sources', label: 'Seen by', description: 'Which logs saw the request.', kind: 'text' },
  { name: 'request_id', label: 'Request id', description: 'The service request id.', kind: 'id' },
];

export const STUDIES = [
  { studyInstanceUid: '1.2.840.113619.2.55.3.604688119.971.1700000001.101', accessionNumber: 'ACC000240017', modality: 'CT', studyDate: '2025-11-03' },
  { studyInstanceUid: '1.2.840.113619.2.55.3.604688119.971.1700000001.102', accessionNumber: 'ACC000240018', modality: 'MR', studyDate: '2026-01-19' },
];

const PEOPLE = [
  { person: 'm.alvarez@stvincent.example.org', principal: 'arn:aws:sts::111122223333:assumed-role/RadiologyReader/m.alvarez@stvincent.example.org', role: 'RadiologyReader' },
  { person: 'PacsViewerService', principal: 'arn:aws:iam::111122223333:role/PacsViewerService', role: null },
];

export function accessRow(i: number): Cell[] {
  const who = PEOPLE[i % 2]!;
  return [
    new Date(Date.UTC(2026, 1, 3, 8) + i * 1_800_000).toISOString().replace('.000Z', 'Z'),
    who.role ? who.person : null,
    who.principal,
    i % 2 ? 'GetObject' : 'GetImageSetMetadata',
    STUDIES[i % 2]!.studyInstanceUid,
    i % 2 ? 'medical-imaging.amazonaws.com' : '10.20.31.44',
    'success',
    i % 2 ? ['cloudtrail', 'kms', 's3_access_log'] : ['cloudtrail'],
    marker(i),
  ];
}

export function patientAccessDto(accesses = 40, overrides: Partial<PatientAccessReportDto> = {}): PatientAccessReportDto {
  const half = Math.ceil(accesses / 2);
  return {
    ...header('patient-access'),
    scope: scope(),
    patient: { reference: 'P-7Q2M9X', partial: '…4821' },
    studies: STUDIES,
    people: [
      { ...PEOPLE[0]!, accesses: half, first: '2026-02-03T08:00:00Z', last: '2026-02-04T03:00:00Z', studies: 1 },
      { ...PEOPLE[1]!, accesses: accesses - half, first: '2026-02-03T08:30:00Z', last: '2026-02-04T03:30:00Z', studies: 1 },
    ],
    accessColumns: ACCESS_COLUMNS,
    accesses: rows(accesses, accessRow),
    runs: {
      accessRunId: '0195f3a2-8d52-7e3f-8c2b-4d5e6f7a8b9c',
      studiesRunId: '0195f3a2-8d52-7e3f-8c2b-4d5e6f7a8b9d',
      accessResultSha256: RESULT_SHA,
      studiesResultSha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    },
    ...overrides,
  };
}
