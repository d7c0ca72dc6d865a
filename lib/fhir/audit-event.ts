// One access row (patient-access-history and the other access queries) as a FHIR R4 AuditEvent
// shaped by IHE Basic Audit Log Patterns (BALP): a user, client and server agent, the log that
// observed the request as source, and the patient, study and request id as entities.
import { isIP } from 'node:net';
import type { LogCoverage } from '@/lib/engine/port';
import { accessKind, type AccessKind } from './access-action';
import {
  AGENT_TYPE,
  DETAIL_TYPE,
  ENTITY_ROLE,
  ENTITY_TYPE,
  EVENT_TYPE_REST,
  IDENTIFIER_SYSTEM,
  SOURCE_TYPE,
} from './codes';
import { idFromParts } from './deterministic-id';
import { toFhirInstant } from './instant';
import type {
  AuditEvent,
  AuditEventAgent,
  AuditEventEntity,
  AuditEventEntityDetail,
  AuditEventNetworkType,
  AuditEventOutcome,
  AuditEventSource,
  Coding,
  Reference,
} from './types';

/** A result row of an access query (columns as documented in queries/patient-access-history.sql). */
export type AccessRecord = {
  event_time: string;
  principal: string | null;
  federated_user: string | null;
  role: string | null;
  action: string;
  source: 'healthimaging' | 's3';
  study_instance_uid: string | null;
  accession_number: string | null;
  modality: string | null;
  source_ip: string | null;
  user_agent: string | null;
  outcome: string;
  sources: string;
  request_id: string | null;
  event_id: string | null;
  patient_id_hash?: string | null;
};

export type BundleMeta = {
  /** The run's patient (catalog HMAC); rows that carry their own patient_id_hash take precedence. */
  patientIdHash: string | null;
  generatedAt: string;
  runId: string;
  portalUrl?: string;
  /** What the logs cover of the run's window: on the Bundle's meta as the log-coverage extension. */
  coverage?: LogCoverage | null;
  /** AuditEvent.source.site: the AWS account or organization the logs belong to. */
  site?: string;
};

export const DEFAULT_SITE = 'Custos';

const PATIENT_ID_HASH = /^[0-9a-f]{64}$/;
const CANONICAL_USER_ID = /^[0-9a-f]{64}$/;

const SERVICES = {
  healthimaging: { host: 'medical-imaging.amazonaws.com', name: 'AWS HealthImaging', iamPrefix: 'medical-imaging' },
  s3: { host: 's3.amazonaws.com', name: 'Amazon S3', iamPrefix: 's3' },
} as const;

// CloudTrail is the account's audit service rather than the server that handled the request
// (security-source-type 6); the access log is written by the S3 web endpoint itself (3).
const LOGS = {
  cloudtrail: { display: 'AWS CloudTrail', type: SOURCE_TYPE.securityServer },
  s3_access_log: { display: 'Amazon S3 server access log', type: SOURCE_TYPE.webServer },
} as const;

type LogName = keyof typeof LOGS;

// BALP names the data flow: the side that sends the object is the Source Role ID (110153), the
// side that receives it the Destination Role ID (110152); a delete is an Application acting on a
// Custodian. The user is the information recipient of reads and the author of changes.
function agentTypes(kind: AccessKind): { user: Coding; client: Coding; server: Coding } {
  switch (kind.action) {
    case 'C':
    case 'U':
      return { user: AGENT_TYPE.author, client: AGENT_TYPE.sourceRole, server: AGENT_TYPE.destinationRole };
    case 'D':
      return { user: AGENT_TYPE.author, client: AGENT_TYPE.application, server: AGENT_TYPE.custodian };
    default:
      return { user: AGENT_TYPE.informationRecipient, client: AGENT_TYPE.destinationRole, server: AGENT_TYPE.sourceRole };
  }
}

function present(value: string | null | undefined): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

function isAnonymous(principal: string | null): boolean {
  return !present(principal) || principal.trim() === '-';
}

function principalWho(principal: string | null): Reference {
  if (isAnonymous(principal)) return { display: 'anonymous' };
  const value = principal!.trim();
  if (value.startsWith('arn:')) return { identifier: { system: IDENTIFIER_SYSTEM.awsArn, value } };
  if (CANONICAL_USER_ID.test(value)) return { identifier: { system: IDENTIFIER_SYSTEM.awsCanonicalUser, value } };
  return { identifier: { value } };
}

/** The readable name of a principal: the session (federated user), else the ARN's last segment. */
function principalName(record: AccessRecord): string | undefined {
  if (present(record.federated_user)) return record.federated_user.trim();
  if (isAnonymous(record.principal)) return 'anonymous';
  const value = record.principal!.trim();
  if (!value.startsWith('arn:')) return undefined;
  const resource = value.split(':').slice(5).join(':');
  const last = resource.split('/').pop();
  return present(last) ? last : undefined;
}

/** network.type 2 for IP addresses (also a forwarded list); 1 for a name such as an AWS service. */
export function networkType(address: string): AuditEventNetworkType {
  return address.split(',').every((part) => isIP(part.trim()) !== 0) ? '2' : '1';
}

function principalAgent(record: AccessRecord, type: Coding): AuditEventAgent {
  const name = principalName(record);
  return {
    type: { coding: [type] },
    ...(present(record.role) ? { role: [{ text: record.role.trim() }] } : {}),
    who: principalWho(record.principal),
    ...(name ? { name } : {}),
    requestor: true,
  };
}

function clientAgent(record: AccessRecord, type: Coding): AuditEventAgent {
  const display = present(record.user_agent)
    ? record.user_agent.trim()
    : present(record.source_ip)
      ? record.source_ip.trim()
      : 'unknown client';
  const agent: AuditEventAgent = { type: { coding: [type] }, who: { display }, requestor: false };
  if (present(record.source_ip)) {
    const address = record.source_ip.trim();
    agent.network = { address, type: networkType(address) };
  }
  return agent;
}

function serverAgent(record: AccessRecord, type: Coding): AuditEventAgent {
  const service = SERVICES[record.source];
  return {
    type: { coding: [type] },
    who: { identifier: { system: IDENTIFIER_SYSTEM.awsService, value: service.host }, display: service.name },
    requestor: false,
    network: { address: service.host, type: '1' },
  };
}

function logsThatSaw(record: AccessRecord): string[] {
  return record.sources
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** The log recorded as observer: CloudTrail when it saw the request, else the S3 access log. */
function observingLog(record: AccessRecord): LogName {
  const seen = logsThatSaw(record);
  if (seen.includes('cloudtrail')) return 'cloudtrail';
  if (seen.includes('s3_access_log')) return 's3_access_log';
  return present(record.event_id) || record.source === 'healthimaging' ? 'cloudtrail' : 's3_access_log';
}

function source(record: AccessRecord, meta: BundleMeta): AuditEventSource {
  const log = observingLog(record);
  return {
    site: present(meta.site) ? meta.site.trim() : DEFAULT_SITE,
    observer: { identifier: { system: IDENTIFIER_SYSTEM.auditLog, value: log }, display: LOGS[log].display },
    type: [LOGS[log].type],
  };
}

function patientEntity(hash: string): AuditEventEntity {
  return {
    what: { type: 'Patient', identifier: { system: IDENTIFIER_SYSTEM.patientIdHash, value: hash } },
    type: ENTITY_TYPE.person,
    role: ENTITY_ROLE.patient,
  };
}

function studyEntity(record: AccessRecord, uid: string): AuditEventEntity {
  const entity: AuditEventEntity = {
    what: { type: 'ImagingStudy', identifier: { system: IDENTIFIER_SYSTEM.dicomUid, value: `urn:oid:${uid}` } },
    type: ENTITY_TYPE.systemObject,
    role: ENTITY_ROLE.report,
  };
  const detail: AuditEventEntityDetail[] = [];
  if (present(record.accession_number)) {
    detail.push({ type: DETAIL_TYPE.accessionNumber, valueString: record.accession_number.trim() });
  }
  if (present(record.modality)) detail.push({ type: DETAIL_TYPE.modalitiesInStudy, valueString: record.modality.trim() });
  if (detail.length > 0) entity.detail = detail;
  return entity;
}

// BALP keeps the transport's request id in an entity of type XrequestId so client and server
// records of one request correlate; the CloudTrail event id and the logs that saw it go along.
function requestEntity(record: AccessRecord): AuditEventEntity | null {
  const requestId = present(record.request_id) ? record.request_id.trim() : null;
  const eventId = present(record.event_id) ? record.event_id.trim() : null;
  if (!requestId && !eventId) return null;
  const entity: AuditEventEntity = {
    what: {
      identifier: requestId
        ? { system: IDENTIFIER_SYSTEM.awsRequestId, value: requestId }
        : { system: IDENTIFIER_SYSTEM.cloudTrailEventId, value: eventId! },
    },
    type: ENTITY_TYPE.requestId,
  };
  const detail: AuditEventEntityDetail[] = [];
  if (requestId && eventId) detail.push({ type: DETAIL_TYPE.cloudTrailEventId, valueString: eventId });
  const seen = logsThatSaw(record);
  if (seen.length > 0) detail.push({ type: DETAIL_TYPE.recordedBy, valueString: seen.join(',') });
  if (detail.length > 0) entity.detail = detail;
  return entity;
}

const SERVER_FAILURE = /^(HTTP 5\d\d|Internal\w*|ServiceUnavailable\w*|ServiceFailure\w*|SlowDown)$/i;
const DENIED = /(AccessDenied|Forbidden|Unauthori[sz]ed|NotAuthorized|^HTTP 40[13]$)/i;

/** R4 outcome: 0 success, 8 serious failure for server-side errors, 4 minor failure otherwise. */
export function outcomeOf(outcome: string, action: string): { outcome: AuditEventOutcome; outcomeDesc?: string } {
  const code = outcome.trim();
  if (code === '' || code.toLowerCase() === 'success') return { outcome: '0' };
  if (SERVER_FAILURE.test(code)) return { outcome: '8', outcomeDesc: `${action} failed on the AWS side (${code})` };
  if (DENIED.test(code)) return { outcome: '4', outcomeDesc: `${action} was denied by AWS (${code})` };
  return { outcome: '4', outcomeDesc: `${action} failed (${code})` };
}

function patientHashOf(record: AccessRecord, meta: BundleMeta): string | null {
  const hash = present(record.patient_id_hash) ? record.patient_id_hash : meta.patientIdHash;
  if (!present(hash)) return null;
  // Fails closed: anything but the catalog's HMAC (an MRN passed by mistake) never leaves.
  if (!PATIENT_ID_HASH.test(hash)) throw new Error('patient id hash must be a lowercase hex HMAC-SHA256');
  return hash;
}

/** The deterministic AuditEvent id of a row: the same access always gets the same UUID. */
export function auditEventId(record: AccessRecord, recorded: string): string {
  return idFromParts([
    'AuditEvent',
    record.source,
    record.action.trim(),
    recorded,
    record.principal,
    record.request_id,
    record.event_id,
    record.study_instance_uid,
  ]);
}

// Type: BALP records a REST request on a patient's data as audit-event-type#rest with the
// restful-interaction as subtype; HealthImaging and S3 calls are REST requests on one patient's
// study, and ATNA/EHR privacy reports index that pattern, so DICOM 110103/110106 are not used.
export function toAuditEvent(record: AccessRecord, meta: BundleMeta): AuditEvent {
  const action = record.action.trim();
  if (action === '') throw new Error('access row has no API action');
  const service = SERVICES[record.source];
  if (!service) throw new Error('access row has an unknown source');
  const recorded = toFhirInstant(record.event_time);
  if (!recorded) throw new Error('access row event_time is not a date-time with seconds');

  const kind = accessKind(action);
  const types = agentTypes(kind);
  const hash = patientHashOf(record, meta);

  const entity: AuditEventEntity[] = [];
  if (hash) entity.push(patientEntity(hash));
  if (present(record.study_instance_uid)) entity.push(studyEntity(record, record.study_instance_uid.trim()));
  const request = requestEntity(record);
  if (request) entity.push(request);

  const event: AuditEvent = {
    resourceType: 'AuditEvent',
    id: auditEventId(record, recorded),
    type: EVENT_TYPE_REST,
    subtype: [
      kind.interaction,
      { system: IDENTIFIER_SYSTEM.awsApiAction, code: `${service.iamPrefix}:${action}`, display: action },
    ],
    action: kind.action,
    recorded,
    ...outcomeOf(record.outcome, action),
    agent: [principalAgent(record, types.user), clientAgent(record, types.client), serverAgent(record, types.server)],
    source: source(record, meta),
  };
  if (entity.length > 0) event.entity = entity;
  return event;
}
