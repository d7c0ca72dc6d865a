import 'server-only';
import type { LakeLayout } from '@/lib/lake/tables';

export type RetryPolicy = {
  /** Calls in all, the first included. */
  attempts: number;
  baseMs: number;
  maxMs: number;
};

export type AthenaConfig = {
  region: string;
  workGroup: string;
  catalog: string;
  database: string;
  /** Client-side result location (s3://bucket/prefix/); may be left to the workgroup. */
  outputLocation?: string;
  /** Result reuse window; 0 turns reuse off. */
  resultReuseMinutes: number;
  /** How long a query may stay queued or running before it is stopped. */
  timeoutMs: number;
  pollMinMs: number;
  pollMaxMs: number;
  /** Rows read through GetQueryResults before the rest is streamed from the CSV result object. */
  csvResultRowThreshold: number;
  logBucket: string;
  layout: LakeLayout;
  /** Accounts and Regions the CloudTrail table projects; empty lists are discovered from the bucket. */
  accounts: string[];
  regions: string[];
  organizationId?: string;
  archiveBucket: string;
  /** Bucket of the study catalog; defaults to the log bucket. */
  catalogBucket?: string;
  /** Athena endpoint override (VPC endpoint, FIPS). */
  endpoint?: string;
  /**
   * Root of the access index table (s3://bucket/prefix/, ending in '/'); unset, the index is not
   * built and saved queries read the raw log tables only.
   */
  indexLocation?: string;
  /** First day (YYYY-MM-DD) an index built from nothing holds; default 90 days before the last complete day. */
  indexStart?: string;
  /** Throttled or transiently failing AWS calls. */
  retry?: RetryPolicy;
};

export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseMs: 250, maxMs: 8_000 };
