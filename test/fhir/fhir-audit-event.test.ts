import { describe, expect, it } from 'vitest';
import { patientIdHash } from '@/lib/phi';
import { networkType, outcomeOf, toAuditEvent, type AccessRecord, type BundleMeta } from '@/lib/fhir/audit-event';
import type { AuditEvent, AuditEventAgent, AuditEventEntity } from '@/lib/fhir/types';
import { auditEventSchema } from '@/lib/fhir/validate';

const MRN = 'MRN0012345';
const HASH = patientIdHash(MRN, 'fhir-test-key');
const OTHER_HASH = patientIdHash('MRN0099999', 'fhir-test-key');
const META: BundleMeta = { patientIdHash: HASH, generatedAt: '2024-05-02T08:00:00Z', runId: 'run-0001' };
const STUDY = '1.2.826.0.1.3680043.8.498.10000000000000000000000000000001';

const ROLE_ARN = 'arn:aws:sts::111122223333:assumed-role/RadiologistAccess/dr.lee@hospital.example';

function row(overrides: Partial<AccessRecord> = {}): AccessRecord {
  return {
    event_time: '2024-05-01T14:03:22Z',
    principal: ROLE_ARN,
    federated_user: 'dr.lee@hospital.example',
    role: 'RadiologistAccess',
    action: 'GetImageSetMetadata',
    source: 'healthimaging',
    study_instance_uid: STUDY,
    accession_number: 'ACC-778812',
    modality: 'MR',
    source_ip: '198.51.100.23',
    user_agent: 'aws-sdk-js/3.600.0 ua/2.1 os/linux lang/js',
    outcome: 'success',
    sources: 'cloudtrail',
    request_id: '1f0f3c58-5b22-4a0e-9c3a-1c8c0b2f5e11',
    event_id: '6e1cf0c8-2c1f-4a7e-9b9b-0d5b5a8f3c21',
    ...overrides,
  };
}

const schema = auditEventSchema({ requirePatient: true, forbiddenText: [MRN] });

function valid(event: AuditEvent): AuditEvent {
  const result = schema.safeParse(event);
  if (!result.success) throw new Error(JSON.stringify(result.error.issues, null, 2));
  return event;
}

const code = (a: AuditEventAgent) => a.type?.coding?.[0]?.code;
const user = (e: AuditEvent) => e.agent.find((a) => a.requestor)!;
const others = (e: AuditEvent) => e.agent.filter((a) => !a.requestor);
const entityOf = (e: AuditEvent, typeCode: string): AuditEventEntity | undefined =>
  e.entity?.find((x) => x.type?.code === typeCode);

// Every action the access queries return, from both sources, in the shapes each log gives them.
const SHAPES: Array<[string, Partial<AccessRecord>]> = [
  ['HealthImaging metadata read', {}],
  ['HealthImaging frame read (data event)', { action: 'GetImageFrame' }],
  ['HealthImaging image set read', { action: 'GetImageSet' }],
  ['DICOMweb instance read', { action: 'GetDICOMInstance' }],
  ['DICOMweb series metadata read', { action: 'GetDICOMSeriesMetadata' }],
  ['HealthImaging version history', { action: 'ListImageSetVersions' }],
  ['HealthImaging search', { action: 'SearchImageSets' }],
  ['HealthImaging copy', { action: 'CopyImageSet' }],
  ['HealthImaging metadata update', { action: 'UpdateImageSetMetadata' }],
  ['HealthImaging delete', { action: 'DeleteImageSet' }],
  ['HealthImaging denied', { action: 'GetImageFrame', outcome: 'AccessDeniedException' }],
  ['HealthImaging not found', { action: 'GetImageSet', outcome: 'ResourceNotFoundException' }],
  ['HealthImaging server error', { action: 'GetImageFrame', outcome: 'InternalServerException' }],
  [
    'S3 read seen by all three logs',
    { source: 's3', action: 'GetObject', sources: 'cloudtrail,kms,s3_access_log', request_id: 'EXAMPLE4A61A10C0' },
  ],
  [
    'S3 head seen by the access log only (canonical requester)',
    {
      source: 's3',
      action: 'HeadObject',
      sources: 's3_access_log',
      event_id: null,
      request_id: '3E57427F3EXAMPLE',
      principal: '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be',
      federated_user: null,
      role: null,
      event_time: '2024-05-01 14:03:22',
    },
  ],
  ['S3 put', { source: 's3', action: 'PutObject', sources: 'cloudtrail,kms' }],
  ['S3 copy', { source: 's3', action: 'CopyObject', sources: 'cloudtrail' }],
  ['S3 delete', { source: 's3', action: 'DeleteObject', sources: 'cloudtrail,s3_access_log' }],
  ['S3 denied in CloudTrail', { source: 's3', action: 'GetObject', outcome: 'AccessDenied', sources: 'cloudtrail,kms' }],
  [
    'S3 denied in the access log only',
    { source: 's3', action: 'GetObject', outcome: 'HTTP 403', sources: 's3_access_log', event_id: null },
  ],
  ['S3 missing key', { source: 's3', action: 'GetObject', outcome: 'NoSuchKey', sources: 's3_access_log', event_id: null }],
  ['S3 unavailable', { source: 's3', action: 'GetObject', outcome: 'HTTP 503', sources: 's3_access_log', event_id: null }],
  [
    'S3 read by S3 on behalf of the principal',
    { source: 's3', action: 'GetObject', source_ip: 's3.amazonaws.com', user_agent: 's3.amazonaws.com' },
  ],
  [
    'anonymous S3 request',
    { source: 's3', action: 'GetObject', principal: '-', federated_user: null, role: null, outcome: 'AccessDenied' },
  ],
  ['IAM user over IPv6', { principal: 'arn:aws:iam::111122223333:user/pacs-sync', federated_user: null, role: null, source_ip: '2001:db8::17' }],
  ['request seen without address or client', { source_ip: null, user_agent: null }],
  ['row without accession or modality', { accession_number: null, modality: null }],
  ['unknown future action', { action: 'GetDICOMBulkdata' }],
];

describe('one AuditEvent per access row', () => {
  it.each(SHAPES)('%s → a valid R4 AuditEvent following BALP', (_name, overrides) => {
    const event = valid(toAuditEvent(row(overrides), META));
    expect(event.resourceType).toBe('AuditEvent');
    expect(event.type).toEqual({
      system: 'http://terminology.hl7.org/CodeSystem/audit-event-type',
      code: 'rest',
      display: 'Restful Operation',
    });
    expect(event.agent).toHaveLength(3);
    expect(JSON.stringify(event)).not.toContain(MRN);
  });

  it('codes the access kind from the API action (subtype interaction + AWS action)', () => {
    const cases: Array<[Partial<AccessRecord>, string, string, string]> = [
      [{ action: 'GetImageFrame' }, 'R', 'read', 'medical-imaging:GetImageFrame'],
      [{ action: 'SearchImageSets' }, 'E', 'search-type', 'medical-imaging:SearchImageSets'],
      [{ action: 'UpdateImageSetMetadata' }, 'U', 'update', 'medical-imaging:UpdateImageSetMetadata'],
      [{ source: 's3', action: 'PutObject' }, 'C', 'create', 's3:PutObject'],
      [{ source: 's3', action: 'DeleteObject' }, 'D', 'delete', 's3:DeleteObject'],
    ];
    for (const [overrides, action, interaction, awsAction] of cases) {
      const event = toAuditEvent(row(overrides), META);
      expect(event.action).toBe(action);
      expect(event.subtype).toEqual([
        { system: 'http://hl7.org/fhir/restful-interaction', code: interaction, display: interaction },
        { system: 'urn:custos:aws-api-action', code: awsAction, display: overrides.action },
      ]);
    }
  });

  it('records the access time, and reads an unzoned engine timestamp as UTC', () => {
    expect(toAuditEvent(row(), META).recorded).toBe('2024-05-01T14:03:22Z');
    expect(toAuditEvent(row({ event_time: '2024-05-01 14:03:22.250' }), META).recorded).toBe('2024-05-01T14:03:22.250Z');
    expect(() => toAuditEvent(row({ event_time: '01/May/2024' }), META)).toThrow(/event_time/);
  });
});

describe('agents (BALP user, client and server)', () => {
  it('names the requesting principal by ARN, session and role, without a network', () => {
    const event = toAuditEvent(row(), META);
    expect(user(event)).toEqual({
      type: {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP', display: 'information recipient' }],
      },
      role: [{ text: 'RadiologistAccess' }],
      who: { identifier: { system: 'urn:custos:aws-arn', value: ROLE_ARN } },
      name: 'dr.lee@hospital.example',
      requestor: true,
    });
  });

  it('names IAM users, canonical S3 requesters and anonymous requests', () => {
    const iam = user(toAuditEvent(row({ principal: 'arn:aws:iam::111122223333:user/pacs-sync', federated_user: null, role: null }), META));
    expect(iam.name).toBe('pacs-sync');
    expect(iam.role).toBeUndefined();
    const canonical = '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be';
    const s3 = user(toAuditEvent(row({ source: 's3', action: 'GetObject', principal: canonical, federated_user: null, role: null }), META));
    expect(s3.who).toEqual({ identifier: { system: 'urn:custos:aws-canonical-user-id', value: canonical } });
    for (const principal of ['-', null]) {
      const anonymous = user(toAuditEvent(row({ principal, federated_user: null, role: null }), META));
      expect(anonymous).toMatchObject({ who: { display: 'anonymous' }, name: 'anonymous', requestor: true });
    }
  });

  it('puts the source address on the client agent: type 2 for an IP, type 1 for an AWS service name', () => {
    const client = (overrides: Partial<AccessRecord>) => others(toAuditEvent(row(overrides), META))[0]!;
    expect(client({}).network).toEqual({ address: '198.51.100.23', type: '2' });
    expect(client({ source_ip: '2001:db8::17' }).network).toEqual({ address: '2001:db8::17', type: '2' });
    const viaS3 = client({ source: 's3', action: 'GetObject', source_ip: 's3.amazonaws.com', user_agent: 's3.amazonaws.com' });
    expect(viaS3.network).toEqual({ address: 's3.amazonaws.com', type: '1' });
    expect(viaS3.who).toEqual({ display: 's3.amazonaws.com' });
    expect(client({ source_ip: 'AWS Internal' }).network).toEqual({ address: 'AWS Internal', type: '1' });
    expect(client({ source_ip: null, user_agent: null })).toMatchObject({ who: { display: 'unknown client' }, requestor: false });
    expect(client({ source_ip: null }).network).toBeUndefined();
    expect(client({}).who).toEqual({ display: 'aws-sdk-js/3.600.0 ua/2.1 os/linux lang/js' });
    expect(networkType('10.0.0.1')).toBe('2');
    expect(networkType('ec2.us-east-1.amazonaws.com')).toBe('1');
    expect(networkType('81.2.69.142, 192.168.10.10')).toBe('2');
    expect(networkType('81.2.69.142, proxy.example')).toBe('1');
  });

  it('names the AWS service as the non-requesting server agent', () => {
    const server = (overrides: Partial<AccessRecord>) => others(toAuditEvent(row(overrides), META))[1]!;
    expect(server({})).toMatchObject({
      who: { identifier: { system: 'urn:custos:aws-service', value: 'medical-imaging.amazonaws.com' }, display: 'AWS HealthImaging' },
      requestor: false,
      network: { address: 'medical-imaging.amazonaws.com', type: '1' },
    });
    expect(server({ source: 's3', action: 'GetObject' }).who?.display).toBe('Amazon S3');
  });

  it('gives client and server the BALP role for the direction of the data', () => {
    const roles = (action: string) => {
      const event = toAuditEvent(row({ action }), META);
      return [code(user(event)), ...others(event).map(code)];
    };
    expect(roles('GetImageFrame')).toEqual(['IRCP', '110152', '110153']);
    expect(roles('SearchImageSets')).toEqual(['IRCP', '110152', '110153']);
    expect(roles('StoreDICOM')).toEqual(['AUT', '110153', '110152']);
    expect(roles('UpdateImageSetMetadata')).toEqual(['AUT', '110153', '110152']);
    expect(roles('DeleteImageSet')).toEqual(['AUT', '110150', 'custodian']);
  });
});

describe('outcome', () => {
  it('is 0 without a description on success', () => {
    const event = toAuditEvent(row(), META);
    expect(event.outcome).toBe('0');
    expect(event.outcomeDesc).toBeUndefined();
  });

  it('maps a denied access to minor failure 4 with a description naming the error', () => {
    for (const outcome of ['AccessDenied', 'AccessDeniedException', 'VpceAccessDenied', 'HTTP 403']) {
      const event = valid(toAuditEvent(row({ source: 's3', action: 'GetObject', outcome }), META));
      expect(event.outcome).toBe('4');
      expect(event.outcomeDesc).toBe(`GetObject was denied by AWS (${outcome})`);
    }
  });

  it('maps other client errors to 4 and server-side errors to serious failure 8', () => {
    expect(outcomeOf('NoSuchKey', 'GetObject')).toEqual({ outcome: '4', outcomeDesc: 'GetObject failed (NoSuchKey)' });
    expect(outcomeOf('ThrottlingException', 'GetImageFrame').outcome).toBe('4');
    for (const error of ['HTTP 500', 'HTTP 503', 'InternalError', 'InternalServerException', 'ServiceUnavailable', 'SlowDown']) {
      expect(outcomeOf(error, 'GetObject')).toEqual({ outcome: '8', outcomeDesc: `GetObject failed on the AWS side (${error})` });
    }
    expect(outcomeOf('', 'GetObject')).toEqual({ outcome: '0' });
  });
});

describe('source (the observing log)', () => {
  it('is CloudTrail when CloudTrail saw the request, else the S3 server access log', () => {
    const source = (overrides: Partial<AccessRecord>, meta: BundleMeta = META) => toAuditEvent(row(overrides), meta).source;
    expect(source({})).toEqual({
      site: 'Custos',
      observer: { identifier: { system: 'urn:custos:aws-audit-log', value: 'cloudtrail' }, display: 'AWS CloudTrail' },
      type: [{ system: 'http://terminology.hl7.org/CodeSystem/security-source-type', code: '6', display: 'Security Server' }],
    });
    const logOnly = source({ source: 's3', action: 'GetObject', sources: 's3_access_log', event_id: null });
    expect(logOnly.observer).toEqual({
      identifier: { system: 'urn:custos:aws-audit-log', value: 's3_access_log' },
      display: 'Amazon S3 server access log',
    });
    expect(logOnly.type).toEqual([{ system: 'http://terminology.hl7.org/CodeSystem/security-source-type', code: '3', display: 'Web Server' }]);
    expect(source({ source: 's3', action: 'GetObject', sources: 's3_access_log, cloudtrail' }).observer.identifier?.value).toBe('cloudtrail');
    expect(source({}, { ...META, site: '111122223333' }).site).toBe('111122223333');
  });
});

describe('entities: patient, study and request', () => {
  it('names the patient only by the catalog HMAC (role 1 Patient, type 1 Person)', () => {
    const patient = entityOf(toAuditEvent(row(), META), '1');
    expect(patient).toEqual({
      what: { type: 'Patient', identifier: { system: 'urn:custos:patient-id-hash', value: HASH } },
      type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '1', display: 'Person' },
      role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1', display: 'Patient' },
    });
  });

  it("prefers the row's own patient hash, and leaves the patient out when neither is known", () => {
    const own = entityOf(toAuditEvent(row({ patient_id_hash: OTHER_HASH }), META), '1');
    expect(own?.what?.identifier?.value).toBe(OTHER_HASH);
    const none = toAuditEvent(row(), { ...META, patientIdHash: null });
    expect(entityOf(none, '1')).toBeUndefined();
    expect(auditEventSchema().safeParse(none).success).toBe(true);
    expect(auditEventSchema({ requirePatient: true }).safeParse(none).success).toBe(false);
  });

  it('refuses to export anything but an HMAC as the patient id (an MRN never leaves)', () => {
    expect(() => toAuditEvent(row(), { ...META, patientIdHash: MRN })).toThrow(/HMAC/);
    expect(() => toAuditEvent(row({ patient_id_hash: HASH.toUpperCase() }), META)).toThrow(/HMAC/);
  });

  it('identifies the study by urn:dicom:uid with accession number and modality as details', () => {
    const study = entityOf(toAuditEvent(row(), META), '2');
    expect(study).toEqual({
      what: { type: 'ImagingStudy', identifier: { system: 'urn:dicom:uid', value: `urn:oid:${STUDY}` } },
      type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '2', display: 'System Object' },
      role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '3', display: 'Report' },
      detail: [
        { type: 'AccessionNumber', valueString: 'ACC-778812' },
        { type: 'ModalitiesInStudy', valueString: 'MR' },
      ],
    });
    expect(entityOf(toAuditEvent(row({ accession_number: null, modality: null }), META), '2')?.detail).toBeUndefined();
    expect(entityOf(toAuditEvent(row({ study_instance_uid: null }), META), '2')).toBeUndefined();
  });

  it('keeps the request id in the BALP XrequestId entity with the event id and the logs that saw it', () => {
    const request = entityOf(toAuditEvent(row({ sources: 'cloudtrail,kms,s3_access_log' }), META), 'XrequestId');
    expect(request).toEqual({
      what: { identifier: { system: 'urn:custos:aws-request-id', value: '1f0f3c58-5b22-4a0e-9c3a-1c8c0b2f5e11' } },
      type: {
        system: 'https://profiles.ihe.net/ITI/BALP/CodeSystem/BasicAuditEntityType',
        code: 'XrequestId',
        display: 'transport specific unique identifier where http X-Request-Id is used',
      },
      detail: [
        { type: 'CloudTrailEventId', valueString: '6e1cf0c8-2c1f-4a7e-9b9b-0d5b5a8f3c21' },
        { type: 'RecordedBy', valueString: 'cloudtrail,kms,s3_access_log' },
      ],
    });
    const eventOnly = entityOf(toAuditEvent(row({ request_id: null }), META), 'XrequestId');
    expect(eventOnly?.what?.identifier).toEqual({
      system: 'urn:custos:cloudtrail-event-id',
      value: '6e1cf0c8-2c1f-4a7e-9b9b-0d5b5a8f3c21',
    });
    expect(entityOf(toAuditEvent(row({ request_id: null, event_id: null }), META), 'XrequestId')).toBeUndefined();
  });
});

describe('deterministic ids', () => {
  it('gives the same access the same id whatever the run, and different accesses different ids', () => {
    const a = toAuditEvent(row(), META);
    expect(toAuditEvent(row(), { ...META, runId: 'run-0002', generatedAt: '2025-01-01T00:00:00Z' }).id).toBe(a.id);
    expect(toAuditEvent(row(), META)).toEqual(a);
    expect(a.id).toMatch(/^[A-Za-z0-9\-.]{1,64}$/);
    const ids = new Set(
      [row(), row({ request_id: 'other' }), row({ event_id: 'other' }), row({ action: 'GetImageFrame' }), row({ event_time: '2024-05-01T14:03:23Z' }), row({ source: 's3', action: 'GetImageSetMetadata' })].map(
        (r) => toAuditEvent(r, META).id,
      ),
    );
    expect(ids.size).toBe(6);
  });
});

describe('rows that cannot become an AuditEvent', () => {
  it('are refused with a message that carries no row values', () => {
    expect(() => toAuditEvent(row({ action: ' ' }), META)).toThrow('access row has no API action');
    const unknown = { ...row(), source: 'kms' } as unknown as AccessRecord;
    expect(() => toAuditEvent(unknown, META)).toThrow('access row has an unknown source');
  });
});
