// The lake's tables and what locates and bounds a read of them: the vocabulary the engine port,
// the saved-query headers and the lake tooling share.

export const LAKE_TABLES = ['cloudtrail_logs', 's3_access_logs', 's3_inventory', 'study_catalog'] as const;
export type LakeTable = (typeof LAKE_TABLES)[number];

/** Tables partitioned by delivery day: every read of them must be bounded by a scope. */
export const LOG_TABLES: readonly LakeTable[] = ['cloudtrail_logs', 's3_access_logs'];

/** Tables kept as Parquet by compaction (the catalog is Parquet already). */
export const COMPACTED_TABLES: readonly LakeTable[] = ['cloudtrail_logs', 's3_access_logs', 's3_inventory'];

export function isLogTable(table: LakeTable): boolean {
  return LOG_TABLES.includes(table);
}

/** Days (UTC, YYYY-MM-DD, both inclusive) a query may read from the date-partitioned log tables. */
export type ScanScope = { from: string; to: string };

/** Where each source lives under the lake root (the log bucket's prefixes). */
export type LakeLayout = {
  /** Prefix before `AWSLogs/` for CloudTrail log and digest files ('' = bucket root). */
  cloudtrailPrefix: string;
  /** Destination prefix of S3 server access logs (PartitionedPrefix layout). */
  accessLogPrefix: string;
  /** Destination prefix of S3 Inventory reports. */
  inventoryPrefix: string;
  /** Prefix of the study catalog (Parquet files written by ingest). */
  catalogPrefix: string;
};

export type LakeLocation = { dir: string; layout: LakeLayout };
