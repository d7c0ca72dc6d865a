import 'server-only';
import {
  GetDatabaseCommand,
  GetTableMetadataCommand,
  GetWorkGroupCommand,
  type WorkGroup,
} from '@aws-sdk/client-athena';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { ConfigCheck } from '@/lib/engine/port';
import { tableDefinition, visibleColumns } from '@/lib/lake/schema';
import {
  awsErrorMessage,
  awsErrorName,
  deniedAction,
  isAccessDenied,
  isCredentialProblem,
} from './aws-errors';
import { formatBytes, type AthenaContext } from './context';
import { withRetry } from './retry';
import { parseS3Uri } from './s3-uri';
import { ACCESS_INDEX_COLUMNS } from '@/lib/lake/access-index-manifest';
import { LAKE_TABLES } from '@/lib/lake/tables';

const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;
const NOT_FOUND = /not found|does not exist|EntityNotFound/i;

type Denials = Set<string>;

class CredentialsRejected extends Error {}

/** One AWS call for a check: denials are collected, credential failures end the whole check. */
async function attempt<T>(
  ctx: AthenaContext,
  operation: string,
  denials: Denials,
  fallbackAction: string,
  call: () => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: unknown; denied?: string }> {
  try {
    return { ok: true, value: await withRetry(operation, call, ctx.retry) };
  } catch (error) {
    if (isCredentialProblem(error)) throw new CredentialsRejected(`${awsErrorName(error)}: ${awsErrorMessage(error)}`);
    if (isAccessDenied(error)) {
      const denied = deniedAction(error, fallbackAction);
      denials.add(denied);
      return { ok: false, error, denied };
    }
    return { ok: false, error };
  }
}

function problem(error: unknown): string {
  return `${awsErrorName(error)}: ${awsErrorMessage(error)}`;
}

async function checkWorkGroup(ctx: AthenaContext, denials: Denials): Promise<[ConfigCheck, WorkGroup | undefined]> {
  const { config } = ctx;
  const item = 'Athena workgroup';
  const result = await attempt(ctx, 'athena:GetWorkGroup', denials, 'athena:GetWorkGroup', () =>
    ctx.athena.send(new GetWorkGroupCommand({ WorkGroup: config.workGroup })),
  );
  if (!result.ok) {
    if (result.denied) {
      return [{ item, ok: false, message: `"${config.workGroup}" cannot be read: the IAM permission ${result.denied} is missing` }, undefined];
    }
    const message = NOT_FOUND.test(awsErrorMessage(result.error))
      ? `"${config.workGroup}" does not exist in ${config.region} (CUSTOS_ATHENA_WORKGROUP)`
      : `"${config.workGroup}" could not be read (${problem(result.error)})`;
    return [{ item, ok: false, message }, undefined];
  }
  const workGroup = result.value.WorkGroup;
  if (!workGroup) return [{ item, ok: false, message: `GetWorkGroup returned no workgroup for "${config.workGroup}"` }, undefined];
  if (workGroup.State !== 'ENABLED') {
    return [{ item, ok: false, message: `"${config.workGroup}" is ${workGroup.State ?? 'not enabled'}: enable it or set CUSTOS_ATHENA_WORKGROUP to another` }, workGroup];
  }
  const c = workGroup.Configuration;
  const details = [
    c?.EngineVersion?.EffectiveEngineVersion,
    c?.BytesScannedCutoffPerQuery !== undefined
      ? `stops queries that scan more than ${formatBytes(c.BytesScannedCutoffPerQuery)} (BytesScannedCutoffPerQuery ${c.BytesScannedCutoffPerQuery.toLocaleString('en-US')} bytes)`
      : 'no per-query data limit (BytesScannedCutoffPerQuery is not set)',
    c?.EnforceWorkGroupConfiguration ? 'enforces its own settings over the client\'s' : undefined,
  ].filter(Boolean);
  return [{ item, ok: true, message: `"${config.workGroup}" is enabled; ${details.join('; ')}` }, workGroup];
}

function checkOutputLocation(ctx: AthenaContext, workGroup: WorkGroup | undefined, workGroupRead: boolean): ConfigCheck {
  const item = 'Query result location';
  const own = ctx.config.outputLocation;
  if (own !== undefined && !parseS3Uri(own)) {
    return { item, ok: false, message: `CUSTOS_ATHENA_OUTPUT_LOCATION "${own}" is not an s3://bucket/prefix/ URI` };
  }
  const c = workGroup?.Configuration;
  const enforced = c?.EnforceWorkGroupConfiguration === true;
  const theirs = c?.ResultConfiguration?.OutputLocation;
  const managed = c?.ManagedQueryResultsConfiguration?.Enabled === true;
  if (managed && own) {
    return {
      item,
      ok: false,
      message: 'the workgroup keeps results in Athena managed storage and rejects a client-side location: unset CUSTOS_ATHENA_OUTPUT_LOCATION',
    };
  }
  if (managed) return { item, ok: true, message: 'Athena managed query results (read through GetQueryResults)' };
  if (enforced && theirs) {
    const overrides = own && own !== theirs ? `; it overrides CUSTOS_ATHENA_OUTPUT_LOCATION (${own})` : '';
    return { item, ok: true, message: `${theirs}, enforced by the workgroup${overrides}` };
  }
  if (own) return { item, ok: true, message: own };
  if (theirs) return { item, ok: true, message: `${theirs}, from the workgroup` };
  if (!workGroupRead) {
    return { item, ok: false, message: 'unknown: set CUSTOS_ATHENA_OUTPUT_LOCATION, or allow athena:GetWorkGroup so the workgroup\'s can be read' };
  }
  return { item, ok: false, message: 'none: set CUSTOS_ATHENA_OUTPUT_LOCATION or give the workgroup a query result location' };
}

/**
 * Athena writes every result (patient access histories included) to S3: it must be encrypted with a
 * KMS key, and the workgroup must enforce that over whatever a client asks for.
 */
function checkResultEncryption(workGroup: WorkGroup | undefined): ConfigCheck {
  const item = 'Query result encryption';
  if (!workGroup) return { item, ok: false, message: 'unknown: allow athena:GetWorkGroup so the workgroup\'s encryption can be checked' };
  const c = workGroup.Configuration;
  const managed = c?.ManagedQueryResultsConfiguration;
  if (managed?.Enabled) {
    return managed.EncryptionConfiguration?.KmsKey
      ? { item, ok: true, message: `managed query results encrypted with ${managed.EncryptionConfiguration.KmsKey}` }
      : { item, ok: false, message: 'managed query results are not encrypted with a customer KMS key: set the workgroup\'s ManagedQueryResultsConfiguration EncryptionConfiguration KmsKey' };
  }
  const option = c?.ResultConfiguration?.EncryptionConfiguration?.EncryptionOption;
  if (option !== 'SSE_KMS' && option !== 'CSE_KMS') {
    return { item, ok: false, message: `${option ? `results are encrypted with ${option}` : 'results are not encrypted'}: set the workgroup's result encryption to SSE_KMS (or CSE_KMS) with a KMS key` };
  }
  if (c?.EnforceWorkGroupConfiguration !== true) {
    return { item, ok: false, message: `${option} is set, but the workgroup does not enforce its settings, so a client could turn it off: set EnforceWorkGroupConfiguration` };
  }
  const key = c.ResultConfiguration?.EncryptionConfiguration?.KmsKey;
  return { item, ok: true, message: `${option}${key ? ` with ${key}` : ''}, enforced by the workgroup` };
}

/** The tables `config check` looks up: the four lake tables, then the access index the saved queries read. */
type CatalogTable = {
  name: string;
  /** Every column a query sees, partition columns included (lower case). */
  columns: () => readonly string[];
  ddl: string;
  /** What else creating it takes, after the DDL file ('' when nothing). */
  createHint: string;
};

const ACCESS_INDEX_TABLE = 'access_index';

const CATALOG_TABLES: CatalogTable[] = [
  ...LAKE_TABLES.map((table) => ({
    name: table,
    columns: () => visibleColumns(tableDefinition(table)).map((c) => c.name),
    ddl: `lib/lake/ddl/${table}.sql`,
    createHint: '',
  })),
  {
    // Athena resolves every table a query names, so the saved queries fail without it, filled or not.
    name: ACCESS_INDEX_TABLE,
    columns: () => ACCESS_INDEX_COLUMNS,
    ddl: `lib/lake/ddl/${ACCESS_INDEX_TABLE}.sql`,
    createHint: ' (LOCATION: CUSTOS_ATHENA_INDEX_LOCATION)',
  },
];

async function checkTable(ctx: AthenaContext, denials: Denials, database: string, table: CatalogTable): Promise<ConfigCheck> {
  const { config } = ctx;
  const item = `Table ${table.name}`;
  const source = `${table.ddl}${table.createHint}`;
  const result = await attempt(ctx, 'athena:GetTableMetadata', denials, 'athena:GetTableMetadata', () =>
    ctx.athena.send(new GetTableMetadataCommand({ CatalogName: config.catalog, DatabaseName: database, TableName: table.name })),
  );
  if (!result.ok) {
    const message = result.denied
      ? `cannot be read: the IAM permission ${result.denied} is missing`
      : NOT_FOUND.test(awsErrorMessage(result.error))
        ? `does not exist in "${database}": create it from ${source}`
        : `could not be read (${problem(result.error)})`;
    return { item, ok: false, message };
  }
  const metadata = result.value.TableMetadata;
  const present = new Set(
    [...(metadata?.Columns ?? []), ...(metadata?.PartitionKeys ?? [])].map((c) => (c.Name ?? '').toLowerCase()),
  );
  const missing = table.columns().filter((name) => !present.has(name));
  const partitions = (metadata?.PartitionKeys ?? []).map((p) => p.Name).filter(Boolean);
  return missing.length > 0
    ? { item, ok: false, message: `lacks the columns ${missing.join(', ')}: recreate it from ${source}` }
    : {
        item,
        ok: true,
        message: `${present.size} columns${partitions.length > 0 ? `, partitioned by ${partitions.join(', ')}` : ''}`,
      };
}

async function checkCatalog(ctx: AthenaContext, denials: Denials): Promise<ConfigCheck[]> {
  const { config } = ctx;
  const tableItems = (message: string): ConfigCheck[] =>
    CATALOG_TABLES.map((table) => ({ item: `Table ${table.name}`, ok: false, message }));
  if (!config.database) {
    return [{ item: 'Athena database', ok: false, message: 'CUSTOS_ATHENA_DATABASE is not set' }, ...tableItems('not checked: no database')];
  }
  const db = await attempt(ctx, 'athena:GetDatabase', denials, 'athena:GetDatabase', () =>
    ctx.athena.send(new GetDatabaseCommand({ CatalogName: config.catalog, DatabaseName: config.database })),
  );
  if (!db.ok) {
    const message = db.denied
      ? `"${config.database}" cannot be read: the IAM permission ${db.denied} is missing`
      : NOT_FOUND.test(awsErrorMessage(db.error))
        ? `"${config.database}" does not exist in catalog ${config.catalog} (CUSTOS_ATHENA_DATABASE)`
        : `"${config.database}" could not be read (${problem(db.error)})`;
    return [{ item: 'Athena database', ok: false, message }, ...tableItems('not checked: the database is not readable')];
  }
  const checks: ConfigCheck[] = [{ item: 'Athena database', ok: true, message: `"${config.database}" in catalog ${config.catalog}` }];
  for (const table of CATALOG_TABLES) checks.push(await checkTable(ctx, denials, config.database, table));
  return checks;
}

/** An S3 denial names its bucket ("s3:ListBucket on logs"), in the item and in the IAM summary. */
function onBucket(denials: Denials, denied: string, bucket: string): string {
  if (denied.includes(' on ')) return denied;
  const action = `${denied} on ${bucket}`;
  denials.delete(denied);
  denials.add(action);
  return action;
}

async function checkLogBucket(ctx: AthenaContext, denials: Denials): Promise<ConfigCheck> {
  const { config } = ctx;
  const item = 'Log bucket';
  const prefix = `${config.layout.cloudtrailPrefix}AWSLogs/`;
  const result = await attempt(ctx, 's3:ListObjectsV2', denials, `s3:ListBucket on ${config.logBucket}`, () =>
    ctx.s3.send(new ListObjectsV2Command({ Bucket: config.logBucket, Prefix: prefix, MaxKeys: 1 })),
  );
  if (!result.ok) {
    if (result.denied) {
      const action = onBucket(denials, result.denied, config.logBucket);
      return { item, ok: false, message: `s3://${config.logBucket} cannot be listed: the IAM permission ${action} is missing` };
    }
    const message =
      awsErrorName(result.error) === 'NoSuchBucket'
        ? `s3://${config.logBucket} does not exist (CUSTOS_LOG_BUCKET)`
        : `s3://${config.logBucket} could not be listed (${problem(result.error)})`;
    return { item, ok: false, message };
  }
  if ((result.value.KeyCount ?? result.value.Contents?.length ?? 0) === 0) {
    return {
      item,
      ok: false,
      message: `no CloudTrail objects under s3://${config.logBucket}/${prefix} (check CUSTOS_LOG_BUCKET and CUSTOS_CLOUDTRAIL_PREFIX)`,
    };
  }
  return { item, ok: true, message: `s3://${config.logBucket}/${prefix} holds CloudTrail objects` };
}

/** The access index's root, when one is configured: Custos lists, writes and deletes objects under it. */
async function checkIndexLocation(ctx: AthenaContext, denials: Denials): Promise<ConfigCheck | null> {
  const uri = ctx.config.indexLocation;
  if (uri === undefined) return null;
  const item = 'Access index location';
  const location = parseS3Uri(uri);
  if (!location || !(location.key === '' || location.key.endsWith('/'))) {
    return { item, ok: false, message: `CUSTOS_ATHENA_INDEX_LOCATION "${uri}" is not an s3://bucket/prefix/ URI ending in /` };
  }
  const result = await attempt(ctx, 's3:ListObjectsV2', denials, `s3:ListBucket on ${location.bucket}`, () =>
    ctx.s3.send(new ListObjectsV2Command({ Bucket: location.bucket, Prefix: location.key, MaxKeys: 1 })),
  );
  if (!result.ok) {
    if (result.denied) {
      const action = onBucket(denials, result.denied, location.bucket);
      return { item, ok: false, message: `${uri} cannot be listed: the IAM permission ${action} is missing` };
    }
    const message =
      awsErrorName(result.error) === 'NoSuchBucket'
        ? `s3://${location.bucket} does not exist (CUSTOS_ATHENA_INDEX_LOCATION)`
        : `${uri} could not be listed (${problem(result.error)})`;
    return { item, ok: false, message };
  }
  const empty = (result.value.KeyCount ?? result.value.Contents?.length ?? 0) === 0;
  return {
    item,
    ok: true,
    message: empty
      ? `${uri} is empty: the scheduled refresh fills it (table access_index from lib/lake/ddl/access_index.sql)`
      : `${uri} can be listed`,
  };
}

/** Names exactly what is missing or wrong for Athena: Region, workgroup, result location, tables, permissions. */
export async function checkAthenaConfig(ctx: AthenaContext): Promise<ConfigCheck[]> {
  const { config } = ctx;
  const region: ConfigCheck = !config.region
    ? { item: 'AWS Region', ok: false, message: 'AWS_REGION is not set' }
    : REGION.test(config.region)
      ? { item: 'AWS Region', ok: true, message: config.region }
      : { item: 'AWS Region', ok: false, message: `"${config.region}" is not an AWS Region name (AWS_REGION)` };
  if (!region.ok) return [region];

  const denials: Denials = new Set();
  try {
    const [[workGroupCheck, workGroup], catalog, bucket, index] = await Promise.all([
      checkWorkGroup(ctx, denials),
      checkCatalog(ctx, denials),
      checkLogBucket(ctx, denials),
      checkIndexLocation(ctx, denials),
    ]);
    const workGroupRead = workGroup !== undefined;
    const permissions: ConfigCheck =
      denials.size === 0
        ? { item: 'IAM permissions', ok: true, message: 'every call the checks made was allowed' }
        : { item: 'IAM permissions', ok: false, message: `missing: ${[...denials].sort().join(', ')}` };
    return [
      region,
      workGroupCheck,
      checkOutputLocation(ctx, workGroup, workGroupRead),
      checkResultEncryption(workGroup),
      ...catalog,
      bucket,
      ...(index ? [index] : []),
      permissions,
    ];
  } catch (error) {
    if (!(error instanceof CredentialsRejected)) throw error;
    return [
      region,
      { item: 'AWS credentials', ok: false, message: `AWS rejected or could not find credentials (${error.message})` },
    ];
  }
}
