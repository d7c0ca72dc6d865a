import 'server-only';
import type { Env } from '@/lib/config/env';
import type { AthenaConfig } from '@/lib/engine/athena/config';
import { DEFAULT_LAYOUT } from '@/lib/lake/layout';
import type { LakeLayout } from '@/lib/lake/tables';

// The mapping from the validated environment to each adapter's own settings: adapters know their
// config type, never the portal's environment.

export function lakeLayout(env: Env): LakeLayout {
  return {
    ...DEFAULT_LAYOUT,
    cloudtrailPrefix: env.CUSTOS_CLOUDTRAIL_PREFIX,
    accessLogPrefix: env.CUSTOS_ACCESS_LOG_PREFIX,
    inventoryPrefix: env.CUSTOS_INVENTORY_PREFIX,
    catalogPrefix: env.CUSTOS_CATALOG_PREFIX,
  };
}

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
    layout: lakeLayout(env),
    accounts: env.CUSTOS_AWS_ACCOUNTS ? env.CUSTOS_AWS_ACCOUNTS.split(',') : [],
    regions: env.CUSTOS_TRAIL_REGIONS ? env.CUSTOS_TRAIL_REGIONS.split(',') : [],
    ...(env.CUSTOS_ORGANIZATION_ID ? { organizationId: env.CUSTOS_ORGANIZATION_ID } : {}),
    ...(env.CUSTOS_CATALOG_BUCKET ? { catalogBucket: env.CUSTOS_CATALOG_BUCKET } : {}),
    archiveBucket: env.CUSTOS_ARCHIVE_BUCKET,
    endpoint: env.CUSTOS_ATHENA_ENDPOINT,
    ...(env.CUSTOS_ATHENA_INDEX_LOCATION ? { indexLocation: env.CUSTOS_ATHENA_INDEX_LOCATION } : {}),
    ...(env.CUSTOS_ATHENA_INDEX_START ? { indexStart: env.CUSTOS_ATHENA_INDEX_START } : {}),
  };
}
