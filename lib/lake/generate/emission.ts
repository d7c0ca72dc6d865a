// An emission is one logical request as the logs see it: its CloudTrail records (the API call and
// the KMS call S3 made for it), its S3 server access log line, and — when it touches PHI — the
// access it represents. The CloudTrail delivery gap is applied here, once, for background and
// planted traffic alike.
import type { JsonObject } from './cloudtrail-record';
import type { PairIndex } from './world';
import { PAIRS } from './world';

export type EmittedRecord = { pair: PairIndex; ms: number; record: JsonObject };

export type AccessLine = { ms: number; text: string; requestId: string };

export type AccessSource = 'healthimaging' | 's3';
export type SeenBy = 'cloudtrail' | 'kms' | 's3_access_log';

export type AccessSpec = {
  principal: string;
  action: string;
  source: AccessSource;
  /** 'success' or the error code. */
  outcome: string;
  study: number;
  /** sourceIPAddress as CloudTrail records it. */
  sourceIp: string;
  /** Remote IP as the access log records it (differs for calls AWS services make). */
  lineIp: string;
  /** Index in `records` of the API call's record, -1 if CloudTrail does not log the call. */
  primary: number;
  /** Index in `records` of the KMS record made for the call, -1 if none. */
  kms: number;
  requestId: string | null;
};

export type Emission = {
  records: EmittedRecord[];
  line: AccessLine | null;
  access: AccessSpec | null;
  /** A denied KMS Decrypt among `records`. */
  kmsDenied: { index: number; principal: string; keyArn: string } | null;
};

export type CloudTrailGap = {
  region: string;
  /** Logging stopped right after this instant (the StopLogging eventTime). */
  stopAt: number;
  /** Logging resumed at this instant (the StartLogging eventTime). */
  startAt: number;
};

export function recordLogged(gap: CloudTrailGap | null, r: EmittedRecord): boolean {
  if (!gap || PAIRS[r.pair].region !== gap.region) return true;
  return r.ms <= gap.stopAt || r.ms >= gap.startAt;
}

export type ResolvedAccess = {
  time: number;
  principal: string;
  action: string;
  source: AccessSource;
  outcome: string;
  study: number;
  sourceIp: string;
  sources: SeenBy[];
  eventId: string | null;
  requestId: string | null;
};

/** What the logs show of an emission: which records survive, and the access they reveal (if any). */
export function resolveEmission(gap: CloudTrailGap | null, e: Emission) {
  const logged = e.records.map((r) => recordLogged(gap, r));
  let access: ResolvedAccess | null = null;
  if (e.access) {
    const a = e.access;
    const sources: SeenBy[] = [];
    if (a.primary >= 0 && logged[a.primary]) sources.push('cloudtrail');
    if (a.kms >= 0 && logged[a.kms]) sources.push('kms');
    if (e.line) sources.push('s3_access_log');
    const seenByTrail = a.primary >= 0 && logged[a.primary];
    if (sources.length > 0 && (seenByTrail || e.line)) {
      const primary = seenByTrail ? e.records[a.primary]! : null;
      access = {
        time: primary ? primary.ms : e.line!.ms,
        principal: a.principal,
        action: a.action,
        source: a.source,
        outcome: a.outcome,
        study: a.study,
        sourceIp: seenByTrail ? a.sourceIp : a.lineIp,
        sources,
        eventId: primary ? String(primary.record.eventID) : null,
        requestId: a.requestId,
      };
    }
  }
  const kmsDenied = e.kmsDenied && logged[e.kmsDenied.index] ? { ...e.kmsDenied, ms: e.records[e.kmsDenied.index]!.ms } : null;
  return { logged, access, kmsDenied };
}
