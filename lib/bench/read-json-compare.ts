// The alternative to compaction's Node parsing for CloudTrail: DuckDB's read_json over the raw gzip
// objects, with the table's columns declared (lib/lake/schema.ts) under the spellings AWS writes,
// each partition written as compaction writes it. Timed on the same objects, then compared row for
// row with the compacted layer. read_json matches keys case-sensitively; the JSON SerDe does not.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { partitionKey, readCompactManifest } from '@/lib/lake/compact-manifest';
import { SORT_KEYS } from '@/lib/lake/compact-order';
import { quoteIdent, sqlString } from '@/lib/lake/read-sql';
import { scanLake } from '@/lib/lake/scan';
import { duckdbType, tableDefinition, type HiveType } from '@/lib/lake/schema';
import type { LakeLocation } from '@/lib/lake/tables';
import { elapsedSeconds, round } from './figures';

export type ReadJsonFigures = {
  seconds: number;
  /** Uncompressed CloudTrail JSON read, in MB (the compaction manifest's count for the same objects). */
  megabytes: number;
  mbPerSecond: number;
  /** Rows read_json gave. */
  rows: number;
  rowsOnlyInReadJson: number;
  rowsOnlyInCompacted: number;
  identical: boolean;
};

/** How CloudTrail spells the record fields whose DDL names are lowercase (other names are spelled as in the DDL). */
const AWS_SPELLING: Record<string, string> = Object.fromEntries(
  [
    'eventVersion', 'userIdentity', 'principalId', 'accountId', 'invokedBy', 'accessKeyId', 'userName', 'onBehalfOf', 'userId',
    'identityStoreArn', 'sessionContext', 'mfaAuthenticated', 'creationDate', 'sessionIssuer', 'ec2RoleDelivery',
    'webIdFederationData', 'federatedProvider', 'eventTime', 'eventSource', 'eventName', 'awsRegion', 'sourceIPAddress',
    'userAgent', 'errorCode', 'errorMessage', 'requestParameters', 'responseElements', 'additionalEventData', 'requestID',
    'eventID', 'readOnly', 'eventType', 'apiVersion', 'recipientAccountId', 'serviceEventDetails', 'sharedEventID',
    'vpcEndpointId', 'vpcEndpointAccountId', 'eventCategory', 'updatedFields', 'originalRequestID', 'originalEventID',
    'sessionCredentialFromConsole', 'edgeDeviceDetails', 'tlsDetails', 'tlsVersion', 'cipherSuite', 'clientProvidedHostHeader',
  ].map((name) => [name.toLowerCase(), name]),
);
const RESOURCE_SPELLING: Record<string, string> = { arn: 'ARN' };

function declared(type: HiveType, spelling: Record<string, string>): string {
  switch (type.kind) {
    case 'struct':
      return `STRUCT(${type.fields.map((f) => `${quoteIdent(spelling[f.name] ?? AWS_SPELLING[f.name] ?? f.name)} ${declared(f.type, AWS_SPELLING)}`).join(', ')})`;
    case 'array':
      return `${declared(type.element, RESOURCE_SPELLING)}[]`;
    default:
      return duckdbType(type);
  }
}

function partitionSelect(files: string[], partition: Record<string, string>): string {
  const def = tableDefinition('cloudtrail_logs');
  const record = declared({ kind: 'struct', fields: def.columns }, AWS_SPELLING);
  // Struct casts match fields by name, case-insensitively: the DDL's lowercase names come back.
  const data = def.columns.map((c) => `CAST(r.${quoteIdent(AWS_SPELLING[c.name] ?? c.name)} AS ${duckdbType(c.type)}) AS ${quoteIdent(c.name)}`);
  const parts = def.partitions.map((p) => `${sqlString(partition[p.name] ?? '')} AS ${quoteIdent(p.name)}`);
  const source = `read_json([${files.map(sqlString).join(', ')}], format = 'auto', records = true, columns = {'Records': ${sqlString(`${record}[]`)}}, maximum_object_size = 67108864)`;
  const order = (SORT_KEYS.cloudtrail_logs ?? []).map(quoteIdent).join(', ');
  return `SELECT ${[...data, ...parts].join(', ')} FROM (SELECT unnest(Records) AS r FROM ${source}) ORDER BY ${order}`;
}

/** Writes the lake's CloudTrail partitions with read_json into a scratch folder, timed, and compares the rows with the compacted layer. */
export async function compareReadJson(lake: LakeLocation): Promise<ReadJsonFigures> {
  const manifest = await readCompactManifest(lake);
  const partitions = await scanLake(lake, ['cloudtrail_logs'], 'all');
  const bytes = new Map(Object.values(manifest.partitions).flatMap((p) => p.sources.map((s) => [s.path, s.textBytes] as const)));
  const scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'custos-read-json-'));
  // the row comparison over a year of CloudTrail outgrows the memory limit: it spills to the scratch folder
  const instance = await DuckDBInstance.create(':memory:', { threads: String(os.availableParallelism()), temp_directory: path.join(scratch, 'spill') });
  const conn = await instance.connect();
  try {
    await conn.run(`SET TimeZone = 'UTC'`);
    await conn.run(`SET memory_limit = '1GB'`);
    let megabytes = 0;
    const started = performance.now();
    for (const [i, partition] of partitions.entries()) {
      const files = partition.files.map((f) => path.join(lake.dir, f.path));
      for (const f of partition.files) megabytes += (bytes.get(f.path) ?? 0) / 1e6;
      const target = path.join(scratch, `${i}.parquet`);
      await conn.run(`COPY (${partitionSelect(files, partition.files[0]!.partition)}) TO ${sqlString(target)} (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1)`);
    }
    const seconds = elapsedSeconds(started);
    // compared partition by partition, which keeps each comparison small whatever the lake's size
    const count = async (sql: string) => Number((await conn.runAndReadAll(`SELECT count(*) FROM (${sql})`)).getRows()[0]![0]);
    let rows = 0;
    let rowsOnlyInReadJson = 0;
    let rowsOnlyInCompacted = 0;
    for (const [i, partition] of partitions.entries()) {
      const viaReadJson = `SELECT * FROM read_parquet(${sqlString(path.join(scratch, `${i}.parquet`))})`;
      const entry = manifest.partitions[partitionKey('cloudtrail_logs', partition.id)];
      const viaNode = entry?.parquet ? `SELECT * FROM read_parquet(${sqlString(path.join(lake.dir, entry.parquet.path))})` : null;
      rows += await count(viaReadJson);
      if (!viaNode) {
        rowsOnlyInReadJson += await count(viaReadJson);
        continue;
      }
      rowsOnlyInReadJson += await count(`${viaReadJson} EXCEPT ALL ${viaNode}`);
      rowsOnlyInCompacted += await count(`${viaNode} EXCEPT ALL ${viaReadJson}`);
    }
    return {
      seconds: round(seconds, 3),
      megabytes: round(megabytes, 3),
      mbPerSecond: seconds > 0 ? round(megabytes / seconds, 2) : 0,
      rows,
      rowsOnlyInReadJson,
      rowsOnlyInCompacted,
      identical: rowsOnlyInReadJson === 0 && rowsOnlyInCompacted === 0,
    };
  } finally {
    conn.closeSync();
    instance.closeSync();
    await fs.rm(scratch, { recursive: true, force: true });
  }
}
