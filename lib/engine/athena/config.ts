import 'server-only';
import type { Env } from '@/lib/config/env';
import type { LakeLayout } from '@/lib/lake/layout';

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
  /** Throttled or transiently failing AWS calls. */
  retry?: RetryPolicy;
};

export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseMs: 250, maxMs: 8_000 };

/** The Athena adapter's settings from validated environment variables. */
export function athenaConfigFromEnv(env: Env): AthenaConfig {
  return {
    region: env.AWS_REGION ?? '',
    workGroup: env.CUSTOS_ATHENA_WORKGROUP ?? 'primary',
    catalog: env.CUSTOS_ATHENA_CATALOG,
    database: env.CUSTOS_ATHENA_DATABASE ?? '',
    outputLocation: env.CUSTOS_ATHENA_OUTPUT_LOCATION,
    resultReuseMinutes: env.CUSTOS_ATHENA_RESULT_REUSE_MINUTES,
    timeoutMs: env.CUSTOS_ATHENA_TIMEOUT_SECONDS * 1000,
    pollMinMs: env.CUSTOS_ATHENA_POLL_MIN_MS,
    pollMaxMs: Math.max(env.CUSTOS_ATHENA_POLL_MIN_MS, env.CUSTOS_ATHENA_POLL_MAX_MS),
    csvResultRowThreshold: env.CUSTOS_ATHENA_CSV_RESULT_ROWS,
    logBucket: env.CUSTOS_LOG_BUCKET,
    layout: {
      cloudtrailPrefix: env.CUSTOS_CLOUDTRAIL_PREFIX,
      accessLogPrefix: env.CUSTOS_ACCESS_LOG_PREFIX,
      inventoryPrefix: env.CUSTOS_INVENTORY_PREFIX,
      catalogPrefix: env.CUSTOS_CATALOG_PREFIX,
    },
    accounts: env.CUSTOS_AWS_ACCOUNTS ? env.CUSTOS_AWS_ACCOUNTS.split(',') : [],
    regions: env.CUSTOS_TRAIL_REGIONS ? env.CUSTOS_TRAIL_REGIONS.split(',') : [],
    ...(env.CUSTOS_ORGANIZATION_ID ? { organizationId: env.CUSTOS_ORGANIZATION_ID } : {}),
    ...(env.CUSTOS_CATALOG_BUCKET ? { catalogBucket: env.CUSTOS_CATALOG_BUCKET } : {}),
    archiveBucket: env.CUSTOS_ARCHIVE_BUCKET,
    endpoint: env.CUSTOS_ATHENA_ENDPOINT,
  };
}
