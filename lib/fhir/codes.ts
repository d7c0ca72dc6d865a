// Code systems, codes and identifier namespaces used by the AuditEvent export. Codes come from
// FHIR R4 terminology, DICOM PS3.16 (DCM) and IHE Basic Audit Log Patterns (BALP).
import type { Coding } from './types';

export const SYSTEM = {
  auditEventType: 'http://terminology.hl7.org/CodeSystem/audit-event-type',
  restfulInteraction: 'http://hl7.org/fhir/restful-interaction',
  auditEventOutcome: 'http://terminology.hl7.org/CodeSystem/audit-event-outcome',
  auditEntityType: 'http://terminology.hl7.org/CodeSystem/audit-entity-type',
  objectRole: 'http://terminology.hl7.org/CodeSystem/object-role',
  securitySourceType: 'http://terminology.hl7.org/CodeSystem/security-source-type',
  dicom: 'http://dicom.nema.org/resources/ontology/DCM',
  participationType: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
  provenanceParticipantType: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type',
  balpEntityType: 'https://profiles.ihe.net/ITI/BALP/CodeSystem/BasicAuditEntityType',
} as const;

/** Identifier namespaces. Patients are named only by the catalog's HMAC, never by MRN. */
export const IDENTIFIER_SYSTEM = {
  patientIdHash: 'urn:custos:patient-id-hash',
  dicomUid: 'urn:dicom:uid',
  awsArn: 'urn:custos:aws-arn',
  awsCanonicalUser: 'urn:custos:aws-canonical-user-id',
  awsService: 'urn:custos:aws-service',
  awsApiAction: 'urn:custos:aws-api-action',
  awsRequestId: 'urn:custos:aws-request-id',
  cloudTrailEventId: 'urn:custos:cloudtrail-event-id',
  auditLog: 'urn:custos:aws-audit-log',
  runId: 'urn:custos:run-id',
} as const;

/**
 * Extensions the export defines, in the portal's namespace (README, "FHIR export"). A Bundle is a
 * Resource without `extension`, so Bundle-level ones go on Bundle.meta.
 */
export const EXTENSION = {
  logCoverage: 'urn:custos:fhir:extension:log-coverage',
} as const;

/** Names of AuditEvent.entity.detail.type values the export writes. */
export const DETAIL_TYPE = {
  accessionNumber: 'AccessionNumber',
  modalitiesInStudy: 'ModalitiesInStudy',
  cloudTrailEventId: 'CloudTrailEventId',
  recordedBy: 'RecordedBy',
} as const;

const coding = (system: string, code: string, display: string): Coding => ({ system, code, display });

export const EVENT_TYPE_REST = coding(SYSTEM.auditEventType, 'rest', 'Restful Operation');

export const INTERACTION = {
  read: coding(SYSTEM.restfulInteraction, 'read', 'read'),
  historyInstance: coding(SYSTEM.restfulInteraction, 'history-instance', 'history-instance'),
  searchType: coding(SYSTEM.restfulInteraction, 'search-type', 'search-type'),
  create: coding(SYSTEM.restfulInteraction, 'create', 'create'),
  update: coding(SYSTEM.restfulInteraction, 'update', 'update'),
  delete: coding(SYSTEM.restfulInteraction, 'delete', 'delete'),
  operation: coding(SYSTEM.restfulInteraction, 'operation', 'operation'),
} as const;

export const AGENT_TYPE = {
  sourceRole: coding(SYSTEM.dicom, '110153', 'Source Role ID'),
  destinationRole: coding(SYSTEM.dicom, '110152', 'Destination Role ID'),
  application: coding(SYSTEM.dicom, '110150', 'Application'),
  custodian: coding(SYSTEM.provenanceParticipantType, 'custodian', 'Custodian'),
  informationRecipient: coding(SYSTEM.participationType, 'IRCP', 'information recipient'),
  author: coding(SYSTEM.participationType, 'AUT', 'author (originator)'),
} as const;

export const ENTITY_TYPE = {
  person: coding(SYSTEM.auditEntityType, '1', 'Person'),
  systemObject: coding(SYSTEM.auditEntityType, '2', 'System Object'),
  requestId: coding(SYSTEM.balpEntityType, 'XrequestId', 'transport specific unique identifier where http X-Request-Id is used'),
} as const;

export const ENTITY_ROLE = {
  patient: coding(SYSTEM.objectRole, '1', 'Patient'),
  report: coding(SYSTEM.objectRole, '3', 'Report'),
} as const;

export const SOURCE_TYPE = {
  webServer: coding(SYSTEM.securitySourceType, '3', 'Web Server'),
  securityServer: coding(SYSTEM.securitySourceType, '6', 'Security Server'),
} as const;

/** R4 code systems bound with required strength, and the codes each defines. */
export const REQUIRED_CODES = {
  action: ['C', 'R', 'U', 'D', 'E'],
  outcome: ['0', '4', '8', '12'],
  networkType: ['1', '2', '3', '4', '5'],
} as const;

/** Codes defined by the extensible R4 systems the export draws from. */
export const DEFINED_CODES: Readonly<Record<string, readonly string[]>> = {
  [SYSTEM.auditEntityType]: ['1', '2', '3', '4'],
  [SYSTEM.objectRole]: Array.from({ length: 24 }, (_, i) => String(i + 1)),
  [SYSTEM.securitySourceType]: ['1', '2', '3', '4', '5', '6', '7', '8', '9'],
  [SYSTEM.restfulInteraction]: [
    'read', 'vread', 'update', 'patch', 'delete', 'history', 'history-instance', 'history-type',
    'history-system', 'create', 'search', 'search-type', 'search-system', 'capabilities',
    'transaction', 'batch', 'operation',
  ],
};
