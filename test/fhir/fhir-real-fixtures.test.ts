import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { patientIdHash } from '@/lib/phi';
import { auditEventBundleJson, toAuditEvent, type AccessRecord, type BundleMeta } from '@/lib/fhir/audit-event-bundle';
import { auditEventBundleSchema, auditEventSchema } from '@/lib/fhir/validate';
import { parseAccessLogLine } from '@/lib/lake/sources/access-log';

// Records that real AWS accounts wrote (public samples), turned into access rows the way
// queries/fragments/image-accesses.sql does, must all become valid BALP AuditEvents.

const REAL = path.resolve(process.cwd(), '../shared/fixtures/real');
const exists = fs.existsSync(REAL);

const MRN = 'MRN0000042';
const META: BundleMeta = { patientIdHash: patientIdHash(MRN, 'real-fixture-key'), generatedAt: '2024-09-01T00:00:00Z', runId: 'real' };
const STUDY = '1.2.840.113619.2.55.3.604688119.969.1268071029.320';
const schema = auditEventSchema({ requirePatient: true, forbiddenText: [MRN] });

type CloudTrailRecord = {
  eventTime?: string;
  eventSource?: string;
  eventName?: string;
  userIdentity?: { arn?: string } | null;
  sourceIPAddress?: string;
  userAgent?: string;
  errorCode?: string;
  requestID?: string;
  eventID?: string;
};

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** The query's principal split: session and role of an assumed-role ARN. */
function sessionOf(principal: string | null): Pick<AccessRecord, 'federated_user' | 'role'> {
  const m = principal ? /^arn:[^:]*:sts::[^:]*:assumed-role\/([^/]*)\/([^/]*)/.exec(principal) : null;
  return { federated_user: m?.[2] ?? null, role: m?.[1] ?? null };
}

function fromCloudTrail(record: CloudTrailRecord): AccessRecord {
  const principal = text(record.userIdentity?.arn);
  return {
    event_time: record.eventTime!,
    principal,
    ...sessionOf(principal),
    action: record.eventName!,
    source: record.eventSource === 's3.amazonaws.com' ? 's3' : 'healthimaging',
    study_instance_uid: STUDY,
    accession_number: null,
    modality: null,
    source_ip: text(record.sourceIPAddress),
    user_agent: text(record.userAgent),
    outcome: text(record.errorCode) ?? 'success',
    sources: 'cloudtrail',
    request_id: text(record.requestID),
    event_id: text(record.eventID),
  };
}

const OBJECT_OPERATIONS: Record<string, string> = {
  'REST.GET.OBJECT': 'GetObject',
  'REST.HEAD.OBJECT': 'HeadObject',
  'REST.PUT.OBJECT': 'PutObject',
  'REST.DELETE.OBJECT': 'DeleteObject',
  'REST.COPY.OBJECT': 'CopyObject',
  'REST.COPY.OBJECT_GET': 'CopyObject',
};
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** dd/MMM/yyyy:HH:mm:ss Z → ISO-8601 with offset (the query's parse_datetime). */
function logTime(value: string): string {
  const m = /^(\d{2})\/(\w{3})\/(\d{4}):(\d{2}:\d{2}:\d{2}) ([+-]\d{2})(\d{2})$/.exec(value);
  if (!m) throw new Error(`unexpected access log time ${value}`);
  const month = String(MONTHS.indexOf(m[2]!) + 1).padStart(2, '0');
  return `${m[3]}-${month}-${m[1]}T${m[4]}${m[5]}:${m[6]}`;
}

type AccessLogFields = {
  requestid: string;
  time: string;
  requester: string | null;
  remoteip: string | null;
  useragent: string | null;
  operation: string;
  errorcode: string | null;
  httpstatus: string | null;
};

function fromAccessLog(f: AccessLogFields): AccessRecord {
  const status = f.httpstatus ?? '-';
  const failed = f.errorcode && f.errorcode !== '-' ? f.errorcode : /^[45]/.test(status) ? `HTTP ${status}` : null;
  const principal = f.requester && f.requester !== '-' ? f.requester : null;
  return {
    event_time: f.time,
    principal,
    ...sessionOf(principal),
    action: OBJECT_OPERATIONS[f.operation]!,
    source: 's3',
    study_instance_uid: STUDY,
    accession_number: 'ACC-REAL',
    modality: 'US',
    source_ip: f.remoteip && f.remoteip !== '-' ? f.remoteip : null,
    user_agent: f.useragent ? f.useragent.replace(/"/g, '') || null : null,
    outcome: failed ?? 'success',
    sources: 's3_access_log',
    request_id: f.requestid,
    event_id: null,
  };
}

function cloudTrailRecords(): CloudTrailRecord[] {
  const dir = path.join(REAL, 'cloudtrail');
  const records: CloudTrailRecord[] = [];
  const panther = JSON.parse(fs.readFileSync(path.join(dir, 'panther-analysis_cloudtrail_test_events.json'), 'utf8')) as {
    tests: Array<{ event: CloudTrailRecord }>;
  };
  records.push(...panther.tests.map((t) => t.event));
  for (const file of ['awsdocs_all_examples.Records.json', 'awsdocs_healthimaging_cloudtrail_examples.json']) {
    records.push(...(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as { Records: CloudTrailRecord[] }).Records);
  }
  const elastic = path.join(dir, 'elastic-integrations_pipeline-tests');
  for (const file of fs.readdirSync(elastic)) {
    for (const line of fs.readFileSync(path.join(elastic, file), 'utf8').split('\n')) {
      if (line.trim() !== '') records.push(JSON.parse(line) as CloudTrailRecord);
    }
  }
  return records.filter(
    (r) =>
      (r.eventSource === 's3.amazonaws.com' || r.eventSource === 'medical-imaging.amazonaws.com') &&
      typeof r.eventName === 'string' &&
      typeof r.eventTime === 'string',
  );
}

function accessLogRecords(): AccessRecord[] {
  const dir = path.join(REAL, 's3_access_logs');
  const rows: AccessRecord[] = [];
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.log'))) {
    for (const line of fs.readFileSync(path.join(dir, file), 'utf8').split('\n')) {
      const row = line.trim() === '' ? null : parseAccessLogLine(line);
      if (!row || !OBJECT_OPERATIONS[String(row.operation)]) continue;
      rows.push(
        fromAccessLog({
          requestid: String(row.requestid),
          time: logTime(String(row.requestdatetime)),
          requester: text(row.requester),
          remoteip: text(row.remoteip),
          useragent: text(row.useragent),
          operation: String(row.operation),
          errorcode: text(row.errorcode),
          httpstatus: text(row.httpstatus),
        }),
      );
    }
  }
  const parsed = JSON.parse(fs.readFileSync(path.join(dir, 'panther-analysis_s3serveraccess_test_events_parsed.json'), 'utf8')) as {
    tests: Array<{ event: Record<string, unknown> }>;
  };
  for (const { event } of parsed.tests) {
    if (!OBJECT_OPERATIONS[String(event.operation)] || typeof event.time !== 'string') continue;
    rows.push(
      fromAccessLog({
        requestid: String(event.requestid),
        time: event.time,
        requester: text(event.requester),
        remoteip: text(event.remoteip),
        useragent: text(event.useragent),
        operation: String(event.operation),
        errorcode: text(event.errorcode),
        httpstatus: event.httpstatus === undefined ? null : String(event.httpstatus),
      }),
    );
  }
  return rows;
}

describe.skipIf(!exists)('real AWS log records as AuditEvents (skipped: ../shared/fixtures/real is absent)', () => {
  const trail = exists ? cloudTrailRecords().map(fromCloudTrail) : [];
  const logged = exists ? accessLogRecords() : [];

  it('finds the S3 and HealthImaging records of the samples', () => {
    expect(trail.length).toBeGreaterThanOrEqual(25);
    expect(trail.some((r) => r.source === 'healthimaging')).toBe(true);
    expect(logged.length).toBeGreaterThanOrEqual(10);
  });

  it('turns every CloudTrail S3 and HealthImaging record into a valid AuditEvent', () => {
    for (const row of trail) {
      const result = schema.safeParse(toAuditEvent(row, META));
      expect(result.success, `${row.action}: ${JSON.stringify(result.error?.issues)}`).toBe(true);
    }
  });

  it('turns every S3 server access log object request into a valid AuditEvent', () => {
    for (const row of logged) {
      const result = schema.safeParse(toAuditEvent(row, META));
      expect(result.success, `${row.action}: ${JSON.stringify(result.error?.issues)}`).toBe(true);
    }
  });

  it('keeps the failures real logs record: denied as 4, server errors as 8', () => {
    const outcomes = [...trail, ...logged].map((row) => [row.outcome, toAuditEvent(row, META).outcome] as const);
    expect(outcomes).toContainEqual(['AccessDenied', '4']);
    expect(outcomes).toContainEqual(['VpceAccessDenied', '4']);
    expect(outcomes).toContainEqual(['SignatureDoesNotMatch', '4']);
    expect(outcomes.filter(([code]) => code === 'success').every(([, outcome]) => outcome === '0')).toBe(true);
  });

  it('names anonymous and canonical requesters, and keeps CloudTrail user agents in brackets as given', () => {
    const anonymous = logged.find((r) => r.principal === null);
    expect(anonymous && toAuditEvent(anonymous, META).agent[0]?.who).toEqual({ display: 'anonymous' });
    const bracketed = trail.find((r) => r.user_agent?.startsWith('['));
    expect(bracketed && toAuditEvent(bracketed, META).agent[1]?.who?.display).toBe(bracketed?.user_agent);
  });

  it('streams all of them as one valid Bundle', async () => {
    let json = '';
    for await (const chunk of auditEventBundleJson([...trail, ...logged], META)) json += chunk;
    const result = auditEventBundleSchema({ requirePatient: true, forbiddenText: [MRN] }).safeParse(JSON.parse(json));
    expect(result.success, JSON.stringify(result.error?.issues.slice(0, 3))).toBe(true);
  });
});
