// truth.json: the answers the generator planted, in the terms the saved queries use. Definitions:
// - An access is a HealthImaging request carrying an imageSetId, or an S3 object request on a key
//   under a study prefix, seen by CloudTrail and/or the server access log; CloudTrail duplicates and
//   an S3 request seen in both sources count once; lifecycle operations are not accesses.
// - time: CloudTrail eventTime when CloudTrail saw it, else the access-log time (UTC, seconds).
// - sources: which logs show it; 'kms' when the Decrypt S3 made for it names the object in its
//   encryption context (a refused Decrypt carries no request parameters, so it never does).
// - Age bands: whole days from study_date to the report date: <30, <90, <365, <1095, <2555, else.
// - person: the session name of an assumed-role principal (the person behind the role), else the
//   principal itself (an IAM user's ARN, an access-log requester).
import type { ResolvedAccess, SeenBy } from './emission';
import type { AgeBand, InventoryReport, StorageTotals } from './inventory';
import type { StorageClass } from './lifecycle';
import type { PlantedKind } from './world';

export type TruthAccess = {
  time: string;
  principal: string;
  action: string;
  source: 'healthimaging' | 's3';
  studyInstanceUid: string;
  sourceIp: string;
  /** 'success' or the error code. */
  outcome: string;
  sources: SeenBy[];
  /** CloudTrail eventID of the request, null when only the access log saw it. */
  eventId: string | null;
  /** S3 request id (S3 accesses only). */
  requestId: string | null;
};

export type TruthStudy = {
  studyInstanceUid: string;
  accessionNumber: string;
  imageSetId: string;
  modality: string;
  studyDate: string;
};

export type TruthPatient = {
  mrn: string;
  kind: PlantedKind;
  patientIdHash: string;
  studies: TruthStudy[];
  /** Every access to the patient's studies in the window, by time. */
  accesses: TruthAccess[];
};

export type Truth = {
  seed: number;
  options: { days: number; eventsPerDay: number; end: string };
  window: { from: string; to: string };
  accounts: string[];
  organizationId: string;
  regions: string[];
  archiveBucket: string;
  logBucket: string;
  kmsKeyArn: string;
  datastoreIds: Record<string, string>;
  timeZone: string;
  businessHours: [number, number];
  trails: { account: string; name: string; arn: string; homeRegion: string; organizationId: string | null }[];
  inventoryReports: InventoryReport[];
  patients: TruthPatient[];
  investigatedUser: {
    principal: string;
    /** First and last access (UTC). */
    from: string;
    to: string;
    accesses: number;
    studies: string[];
    patientIdHashes: string[];
  };
  bulkAccess: {
    principal: string;
    from: string;
    to: string;
    distinctStudies: number;
    /** Every clock hour (UTC) of the bulk principal's accesses, as bulk-access reports an hour above its threshold. */
    hours: BulkHour[];
  };
  /** Every access to a VIP patient's studies in the window. */
  vipAccesses: { patientIdHash: string; studyInstanceUid: string; principal: string; time: string; action: string; source: string }[];
  /** Accesses in the window outside business hours in timeZone: how many, and per person and UTC day. */
  afterHours: { count: number; byPersonDay: AfterHoursDay[] };
  /** Every refused request in the window (HealthImaging, S3 and KMS), grouped. */
  failedAccess: { principal: string; source: 'healthimaging' | 's3' | 'kms'; count: number }[];
  /** The burst of refused Decrypt calls after the key-policy change. */
  decryptDenied: { from: string; to: string; count: number; keyArn: string };
  /** Every refused Decrypt in the window, per clock hour, key and principal. */
  decryptDeniedHourly: { hour: string; keyArn: string; principal: string; count: number }[];
  /** Latest inventory report: all versions, delete markers excluded. */
  storage: Record<StorageClass, { objects: number; bytes: number }>;
  storageByBand: { storageClass: StorageClass; band: AgeBand; objects: number; bytes: number }[];
  /** Study UIDs past retention on window.to and not on legal hold. */
  retentionDue: string[];
  /** Clock hours without any CloudTrail record in a Region (`to` exclusive). */
  coverageGaps: { region: string; from: string; to: string }[];
};

export type BulkHour = {
  /** 'YYYY-MM-DDTHH:00:00Z' */
  hour: string;
  distinctStudies: number;
  accesses: number;
  denied: number;
  firstAccess: string;
  lastAccess: string;
};

/** One person's after-hours accesses on one UTC day, sorted by day then person. */
export type AfterHoursDay = { person: string; day: string; requests: number; studies: number; patients: number };

/** The person behind a principal, as the after-hours queries group and filter by it. */
export function personOf(principal: string): string {
  return /^arn:[^:]+:sts::[^:]*:assumed-role\//.test(principal) ? principal.split('/')[2]! : principal;
}

export function compareAccesses(a: { time: string; source: string; action: string; requestId?: string | null; eventId?: string | null }, b: typeof a): number {
  const keys: (keyof typeof a)[] = ['time', 'source', 'action', 'requestId', 'eventId'];
  for (const k of keys) {
    const x = a[k] ?? '';
    const y = b[k] ?? '';
    if (x < y) return -1;
    if (x > y) return 1;
  }
  return 0;
}

export type { ResolvedAccess, StorageTotals };
