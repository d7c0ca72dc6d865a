// The only reader of process.env: every setting validated once with zod; a bad value stops the
// process with a message naming the variable.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { isCalendarDate } from '@/lib/days';

const bool = z
  .enum(['0', '1', 'true', 'false', ''])
  .optional()
  .transform((v) => v === '1' || v === 'true');
const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const optionalText = z
  .string()
  .optional()
  .transform((v) => (v && v.trim() !== '' ? v.trim() : undefined));

/**
 * The embedded engine's memory before it spills to disk. With the process's own ~300 MB, every
 * saved query over a year of a 10-million-event lake stays under 1 GB of RSS. Reading raw NDJSON
 * (the latest hours, not yet compacted) takes 32 MiB per thread (MAX_STAGED_ROW_BYTES).
 */
export const DEFAULT_DUCKDB_MEMORY_LIMIT = '512MB';

/** The demo accounts' published password (README, sign-in page). */
export const DEFAULT_DEMO_PASSWORD = 'custos-demo';

const EnvSchema = z.object({
  CUSTOS_DATA_DIR: z.string().default('./.custos'),
  CUSTOS_DEBUG: bool,
  CUSTOS_LAKE_DIR: optionalText,
  // the embedded engine's bounds: worker threads and the memory DuckDB may hold before spilling to disk
  CUSTOS_DUCKDB_THREADS: z.coerce.number().int().min(1).max(64).default(2),
  CUSTOS_DUCKDB_MEMORY_LIMIT: z.string().regex(/^\d+(\.\d+)?\s*(KB|MB|GB|KiB|MiB|GiB)$/i, 'expected a size such as 512MB or 1GB').default(DEFAULT_DUCKDB_MEMORY_LIMIT),
  CUSTOS_ENGINE: z.enum(['duckdb', 'athena']).default('duckdb'),
  DATABASE_URL: optionalText,
  DATABASE_MIGRATION_URL: optionalText,
  PORT: positiveInt(3000),
  HOST: optionalText,
  NEXTAUTH_URL: optionalText,
  NEXTAUTH_SECRET: optionalText,
  CUSTOS_DEMO: bool,
  CUSTOS_DEMO_PASSWORD: z.string().min(8).default(DEFAULT_DEMO_PASSWORD),
  CUSTOS_SESSION_IDLE_MINUTES: positiveInt(15),
  CUSTOS_SESSION_MAX_HOURS: positiveInt(12),
  CUSTOS_SIGNIN_MAX_FAILURES: positiveInt(5),
  CUSTOS_SIGNIN_LOCK_MINUTES: positiveInt(15),
  CUSTOS_SIGNIN_BACKOFF_SECONDS: positiveInt(30),
  CUSTOS_SIGNIN_MAX_FAILURES_PER_SOURCE: positiveInt(20),
  CUSTOS_SIGNIN_MAX_FAILURES_GLOBAL: positiveInt(200),
  CUSTOS_TRUSTED_PROXY_HOPS: z.coerce.number().int().min(0).max(5).default(0),
  CUSTOS_OIDC_ISSUER: optionalText,
  CUSTOS_OIDC_CLIENT_ID: optionalText,
  CUSTOS_OIDC_CLIENT_SECRET: optionalText,
  CUSTOS_OIDC_NAME: z.string().default('Single sign-on'),
  CUSTOS_OIDC_ROLE_CLAIM: z.string().default('groups'),
  CUSTOS_OIDC_ROLE_MAP: z.string().default(''),
  CUSTOS_CATALOG_HMAC_KEY: optionalText,
  CUSTOS_MASTER_KEY: optionalText.pipe(z.string().regex(/^[A-Za-z0-9+/]{43}=?$|^[A-Za-z0-9+/]{44,}={0,2}$/, 'expected at least 32 random bytes, base64-encoded').optional()),
  CUSTOS_MASTER_KEY_KMS_CIPHERTEXT: optionalText,
  CUSTOS_EXTRA_QUERIES_DIR: optionalText,
  CUSTOS_EXTRA_QUERIES_PHI: bool,
  CUSTOS_QUERY_MAX_DAYS: positiveInt(366),
  CUSTOS_RESULT_RETENTION_DAYS: positiveInt(30),
  /** An approval of a deletion request counts for this many days; a request whose approval lapses expires. */
  CUSTOS_RETENTION_APPROVAL_DAYS: positiveInt(7),
  /** Backups of the archive bucket (AWS Backup plan, vault): named in every deletion manifest as copies the request does not delete. */
  CUSTOS_ARCHIVE_BACKUP: optionalText,
  CUSTOS_MAX_RUNS: positiveInt(8),
  CUSTOS_MAX_RUNS_PER_USER: positiveInt(2),
  CUSTOS_RUNS_PER_USER_PER_HOUR: positiveInt(60),
  CUSTOS_ESTIMATES_PER_USER_PER_MINUTE: positiveInt(30),
  CUSTOS_PORTAL_WORKER: z.enum(['on', 'off']).default('on'),
  CUSTOS_WORKER_CONCURRENCY: positiveInt(2),
  CUSTOS_JOB_LEASE_SECONDS: positiveInt(30),
  CUSTOS_QUERY_TIMEOUT_SECONDS: positiveInt(1800),
  CUSTOS_SCAN_LIMIT_BYTES: positiveInt(100 * 1024 ** 3),
  CUSTOS_TIME_ZONE: z.string().default('America/New_York'),
  CUSTOS_BUSINESS_HOURS: z
    .string()
    .regex(/^\d{1,2}-\d{1,2}$/, 'expected START-END hours, e.g. 7-19')
    .default('7-19'),
  CUSTOS_LOG_BUCKET: z.string().default('custos-demo-logs'),
  CUSTOS_ARCHIVE_BUCKET: z.string().default('custos-demo-imaging-archive'),
  CUSTOS_JOURNAL_CHECKPOINT_BUCKET: z.string().default('custos-journal-checkpoints'),
  CUSTOS_JOURNAL_CHECKPOINT_ENTRIES: positiveInt(100),
  CUSTOS_JOURNAL_CHECKPOINT_MINUTES: positiveInt(5),
  CUSTOS_JOURNAL_CHECKPOINT_RETENTION_DAYS: positiveInt(2557),
  CUSTOS_EVIDENCE_BUCKET: z.string().default('custos-evidence'),
  CUSTOS_EVIDENCE_RETENTION_DAYS: positiveInt(2557),
  CUSTOS_CLOUDTRAIL_PREFIX: z.string().default(''),
  CUSTOS_ACCESS_LOG_PREFIX: z.string().default('s3-access-logs/'),
  CUSTOS_INVENTORY_PREFIX: z.string().default('inventory/'),
  CUSTOS_CATALOG_PREFIX: z.string().default('catalog/study_catalog/'),
  AWS_REGION: optionalText,
  CUSTOS_AWS_ACCOUNTS: z
    .string()
    .regex(/^(\d{12}(,\d{12})*)?$/, 'expected 12-digit account ids separated by commas')
    .default(''),
  CUSTOS_TRAIL_REGIONS: z
    .string()
    .regex(/^([a-z]{2}(-[a-z]+)+-\d(,[a-z]{2}(-[a-z]+)+-\d)*)?$/, 'expected region names separated by commas')
    .default(''),
  CUSTOS_ORGANIZATION_ID: z
    .string()
    .regex(/^(o-[a-z0-9]{10,32})?$/, 'expected an organization id such as o-a1b2c3d4e5')
    .default(''),
  CUSTOS_CATALOG_BUCKET: optionalText,
  CUSTOS_ATHENA_POLL_MIN_MS: positiveInt(500),
  CUSTOS_ATHENA_POLL_MAX_MS: positiveInt(5000),
  CUSTOS_ATHENA_WORKGROUP: optionalText,
  CUSTOS_ATHENA_OUTPUT_LOCATION: optionalText,
  CUSTOS_ATHENA_CATALOG: z.string().default('AwsDataCatalog'),
  CUSTOS_ATHENA_DATABASE: optionalText,
  CUSTOS_ATHENA_RESULT_REUSE_MINUTES: z.coerce.number().int().min(0).max(10080).default(0),
  CUSTOS_ATHENA_TIMEOUT_SECONDS: positiveInt(1800),
  CUSTOS_ATHENA_ENDPOINT: optionalText,
  CUSTOS_ATHENA_CSV_RESULT_ROWS: positiveInt(5000),
  CUSTOS_ATHENA_INDEX_LOCATION: optionalText.pipe(
    z.string().regex(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/(?:[^/]+\/)*$/, 'expected an s3://bucket/prefix/ URI ending in /').optional(),
  ),
  CUSTOS_ATHENA_INDEX_START: optionalText.pipe(z.string().refine(isCalendarDate, 'expected a day YYYY-MM-DD').optional()),
  CUSTOS_OBJECT_STORE: z.enum(['local', 's3']).default('local'),
  CUSTOS_OBJECT_STORE_ENDPOINT: optionalText.pipe(z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }).optional()),
  CUSTOS_SIGNER: z.enum(['local', 'kms']).default('local'),
  CUSTOS_SIGNER_P12: optionalText,
  CUSTOS_SIGNER_P12_PASSWORD: z.string().optional(),
  CUSTOS_SIGNER_KMS_KEY_ID: optionalText,
  CUSTOS_SIGNER_CERT_CHAIN: optionalText,
  CUSTOS_TSA_URL: optionalText.pipe(z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }).optional()),
  // posture dashboards: the refresh schedule (off, a daily HH:MM UTC, or every N minutes/hours), its window, prices
  CUSTOS_POSTURE_REFRESH: z
    .string()
    .regex(/^(off|([01]\d|2[0-3]):[0-5]\d|\d{1,4}[mh])$/, 'expected off, a daily time HH:MM (UTC), or an interval such as 30m or 6h')
    .default('06:00'),
  // the access index: how often days newly delivered are indexed (off, a daily HH:MM UTC, or every N minutes/hours)
  CUSTOS_ACCESS_INDEX_REFRESH: z
    .string()
    .regex(/^(off|([01]\d|2[0-3]):[0-5]\d|\d{1,4}[mh])$/, 'expected off, a daily time HH:MM (UTC), or an interval such as 30m or 6h')
    .default('1h'),
  CUSTOS_POSTURE_REFRESH_DAYS: z.coerce.number().int().min(1).max(366).default(30),
  CUSTOS_POSTURE_PRICES: optionalText,
  CUSTOS_ARCHIVE_REGION: optionalText.pipe(z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, 'expected a Region code such as us-east-1').optional()),
});

export type Env = z.infer<typeof EnvSchema> & {
  dataDir: string;
  lakeDir: string;
  /** True when no external database or identity provider is configured. */
  embedded: boolean;
  /** Demo accounts may sign in. */
  demoAccounts: boolean;
  /** The lake is one the generator wrote (it carries the generator's marker), read by the embedded engine. */
  demoLake: boolean;
  /** The interface the portal listens on. */
  host: string;
  oidcEnabled: boolean;
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function parseEnv(source: Record<string, string | undefined>): Env {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`Invalid configuration: ${issue.path.join('.')}: ${issue.message}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(/*turbopackIgnore: true*/ e.CUSTOS_DATA_DIR);
  const oidcEnabled = Boolean(e.CUSTOS_OIDC_ISSUER);
  if (oidcEnabled && (!e.CUSTOS_OIDC_CLIENT_ID || !e.CUSTOS_OIDC_CLIENT_SECRET)) {
    throw new ConfigError(
      'Invalid configuration: CUSTOS_OIDC_ISSUER is set, so CUSTOS_OIDC_CLIENT_ID and CUSTOS_OIDC_CLIENT_SECRET are required',
    );
  }
  const embedded = !oidcEnabled && !e.DATABASE_URL;
  const host = e.HOST ?? (embedded ? '127.0.0.1' : '0.0.0.0');
  if (!embedded) requireHttpsUrl(e.NEXTAUTH_URL, host);
  const lakeDir = path.resolve(/*turbopackIgnore: true*/ e.CUSTOS_LAKE_DIR ?? path.join(dataDir, 'lake'));
  // Demo accounts, with a published password, only where no real data can be: the generated demo
  // lake on the embedded engine (and no external database or identity provider unless CUSTOS_DEMO=1),
  // or explicitly with CUSTOS_DEMO=1 and a password of the site's own.
  const demoLake = e.CUSTOS_ENGINE === 'duckdb' && isDemoLake(lakeDir);
  const demoAccounts = e.CUSTOS_DEMO ? demoLake || e.CUSTOS_DEMO_PASSWORD !== DEFAULT_DEMO_PASSWORD : demoLake && embedded;
  return {
    ...e,
    dataDir,
    lakeDir,
    embedded,
    demoAccounts,
    demoLake,
    host,
    oidcEnabled,
  };
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

// Outside the embedded default, sessions and sign-in travel only over TLS: next-auth marks its cookies
// Secure (and the guard accepts only the __Secure- one) when the public URL is https. The one exception
// is a portal both listening on and addressed by loopback, which no other machine can reach.
function requireHttpsUrl(url: string | undefined, host: string): void {
  const where = 'a database or identity provider is configured, so the portal is not the embedded default';
  if (!url) throw new ConfigError(`Invalid configuration: NEXTAUTH_URL is required (${where}); set it to the portal's public https:// URL`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`Invalid configuration: NEXTAUTH_URL: expected the portal's public URL, got ${JSON.stringify(url)}`);
  }
  if (parsed.protocol === 'https:') return;
  if (parsed.protocol === 'http:' && LOOPBACK.has(parsed.hostname) && LOOPBACK.has(host)) return;
  throw new ConfigError(
    `Invalid configuration: NEXTAUTH_URL must be https:// (${where}); http:// is allowed only for a loopback address with HOST on loopback too`,
  );
}

/** The portal's public URL is https, so cookies are Secure and HSTS applies. */
export function servedOverHttps(config: Pick<Env, 'NEXTAUTH_URL'>): boolean {
  return (config.NEXTAUTH_URL ?? '').startsWith('https://');
}

let cached: Env | undefined;

export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/** Tests and the CLI change settings between runs in one process. */
export function resetEnvCache(): void {
  cached = undefined;
}

/** A lake the demo generator wrote carries its marker; a real lake never does. */
export function isDemoLake(lakeDir: string): boolean {
  return fs.existsSync(path.join(/*turbopackIgnore: true*/ lakeDir, '_custos', 'generation.json'));
}
