// One S3 server access log record (aws-formats.md §5.1): 27 space-separated fields today; older
// S3 hosts write fewer trailing fields and newer ones may append more.
import { accessLogTime } from './time';

export type AccessLogFields = {
  time: number;
  remoteIp: string;
  requester: string;
  requestId: string;
  operation: string;
  key: string;
  /** Without quotes; null → `"-"` */
  requestUri: string | null;
  status: string;
  errorCode: string | null;
  bytesSent: number | null;
  objectSize: number | null;
  totalTime: number | null;
  turnAround: number | null;
  userAgent: string | null;
  versionId: string | null;
  hostId: string;
  sigv: string | null;
  cipher: string | null;
  auth: string | null;
  host: string | null;
  tls: string | null;
  sourceRegion: string | null;
};

const dash = (v: string | number | null) => (v === null || v === '' || v === 0 ? '-' : String(v));

/** S3 writes keys URL-encoded, keeping '/'. */
export function encodeLogKey(key: string): string {
  return encodeURIComponent(key).replaceAll('%2F', '/');
}

export function accessLogLine(bucketOwner: string, bucket: string, f: AccessLogFields, fieldCount = 27): string {
  const fields = [
    bucketOwner,
    bucket,
    accessLogTime(f.time),
    f.remoteIp,
    f.requester,
    f.requestId,
    f.operation,
    f.key === '' ? '-' : encodeLogKey(f.key),
    f.requestUri === null ? '"-"' : `"${f.requestUri}"`,
    f.status,
    dash(f.errorCode),
    dash(f.bytesSent),
    dash(f.objectSize),
    dash(f.totalTime),
    dash(f.turnAround),
    '"-"',
    f.userAgent === null ? '"-"' : `"${f.userAgent}"`,
    dash(f.versionId),
    f.hostId,
    dash(f.sigv),
    dash(f.cipher),
    dash(f.auth),
    dash(f.host),
    dash(f.tls),
    '-',
    '-',
    dash(f.sourceRegion),
  ];
  // The bracketed time holds a space: it counts as one field but joins as written.
  if (fieldCount < 27) fields.length = fieldCount;
  while (fields.length < fieldCount) fields.push('-');
  return fields.join(' ');
}

/** Field-count variant of a line, fixed by its request id: a few legacy (24–26) and future (28) lines. */
export function fieldCountFor(requestIdHash: number): number {
  const r = requestIdHash % 1000;
  if (r < 5) return 24;
  if (r < 10) return 25;
  if (r < 15) return 26;
  if (r < 23) return 28;
  return 27;
}
