import 'server-only';
import type { AthenaClient, WorkGroup } from '@aws-sdk/client-athena';
import type { S3Client } from '@aws-sdk/client-s3';
import type { AthenaConfig, RetryPolicy } from './config';

/** What the adapter's parts share: settings, the two SDK clients and the workgroup lookup. */
export type AthenaContext = {
  config: AthenaConfig;
  athena: AthenaClient;
  s3: S3Client;
  retry: RetryPolicy;
  /** The workgroup as GetWorkGroup describes it; undefined when it cannot be read. */
  workGroup(): Promise<WorkGroup | undefined>;
};

const UNITS = ['bytes', 'KB', 'MB', 'GB', 'TB', 'PB'];

/** 10485760 → "10 MB" (binary multiples, as the Athena console shows data scanned). */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const text = unit === 0 || value >= 100 ? String(Math.round(value)) : String(Number(value.toFixed(1)));
  return `${text} ${UNITS[unit]}`;
}
