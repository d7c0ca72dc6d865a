// Builders for recorded-response shapes that are too large to keep as files (many rows or keys);
// each follows the shape of the stored fixtures in test/fixtures/aws.
import type { AthenaConfig } from '@/lib/engine/athena/config';
import { DEFAULT_LAYOUT } from '@/lib/lake/layout';
import { jsonFixture, type ReplayResponse, athenaOk, s3Xml } from '@/test/support/aws-replay';

export const EXECUTION_ID = '5b2d3f6e-8c41-4b7a-9d0e-1f2a3b4c5d6e';

export function testConfig(overrides: Partial<AthenaConfig> = {}): AthenaConfig {
  return {
    region: 'us-east-1',
    workGroup: 'custos',
    catalog: 'AwsDataCatalog',
    database: 'custos_audit',
    outputLocation: 's3://custos-athena-results/custos/',
    resultReuseMinutes: 0,
    timeoutMs: 60_000,
    pollMinMs: 1,
    pollMaxMs: 4,
    csvResultRowThreshold: 1_000_000,
    logBucket: 'custos-logs',
    layout: DEFAULT_LAYOUT,
    accounts: ['111122223333'],
    regions: ['us-east-1'],
    archiveBucket: 'custos-imaging-archive',
    retry: { attempts: 4, baseMs: 1, maxMs: 4 },
    ...overrides,
  };
}

type QueryExecutionBody = { QueryExecution: Record<string, unknown> & { Status: Record<string, unknown> } };

/** A recorded GetQueryExecution response, optionally altered. */
export function queryExecution(
  name: string,
  alter: (body: QueryExecutionBody) => void = () => undefined,
): ReplayResponse {
  const body = jsonFixture<QueryExecutionBody>(`athena/get-query-execution-${name}.json`);
  alter(body);
  return athenaOk(body);
}

type ColumnInfo = { Name: string; Type: string };

/** The recorded first page's ColumnInfo: event_time … ratio, nine columns. */
export function recordedColumns(): ColumnInfo[] {
  const page = jsonFixture<{ ResultSet: { ResultSetMetadata: { ColumnInfo: ColumnInfo[] } } }>(
    'athena/get-query-results-first-page.json',
  );
  return page.ResultSet.ResultSetMetadata.ColumnInfo;
}

/** Data row n of a generated result: two columns, `n` (bigint) and `label` (varchar). */
export function generatedRow(n: number): [string, string] {
  return [String(n), `row ${n}, "quoted" 'x'`];
}

const GENERATED_COLUMNS = [
  { CatalogName: 'hive', SchemaName: '', TableName: '', Name: 'n', Label: 'n', Type: 'bigint', Precision: 19, Scale: 0, Nullable: 'UNKNOWN', CaseSensitive: false },
  { CatalogName: 'hive', SchemaName: '', TableName: '', Name: 'label', Label: 'label', Type: 'varchar', Precision: 2147483647, Scale: 0, Nullable: 'UNKNOWN', CaseSensitive: true },
];

/**
 * GetQueryResults pages over `total` generated rows as Athena pages them with MaxResults 1000:
 * the header takes the first row of the first page. Answers by the request's NextToken.
 */
export function generatedResultPages(total: number) {
  return (request: { json: Record<string, unknown> }): ReplayResponse => {
    const token = request.json.NextToken;
    const page = typeof token === 'string' ? Number(token.replace('page-', '')) : 0;
    const start = page === 0 ? 0 : page * 1000 - 1;
    const end = Math.min(total, (page + 1) * 1000 - 1);
    const rows = [];
    if (page === 0) rows.push({ Data: [{ VarCharValue: 'n' }, { VarCharValue: 'label' }] });
    for (let n = start; n < end; n++) {
      const [a, b] = generatedRow(n);
      rows.push({ Data: [{ VarCharValue: a }, { VarCharValue: b }] });
    }
    const body: Record<string, unknown> = {
      UpdateCount: 0,
      ResultSet: { Rows: rows, ResultSetMetadata: { ColumnInfo: GENERATED_COLUMNS } },
    };
    if (end < total) body.NextToken = `page-${page + 1}`;
    return athenaOk(body);
  };
}

/** The CSV result object of the generated rows, as Athena writes it, produced lazily. */
export async function* generatedCsv(total: number, chunkRows = 500): AsyncGenerator<string> {
  yield '"n","label"\n';
  for (let start = 0; start < total; start += chunkRows) {
    let chunk = '';
    for (let n = start; n < Math.min(total, start + chunkRows); n++) {
      const [a, b] = generatedRow(n);
      chunk += `"${a}","${b.replaceAll('"', '""')}"\n`;
    }
    yield chunk;
  }
}

type ListedKey = { key: string; size: number; lastModified?: string };

const xmlEscape = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/** A ListObjectsV2 response (ListBucketResult) in the shape of the stored S3 fixtures. */
export function listObjectsV2(options: {
  bucket: string;
  prefix: string;
  keys?: ListedKey[];
  folders?: string[];
  delimiter?: string;
  continuationToken?: string;
  nextContinuationToken?: string;
}): ReplayResponse {
  const keys = options.keys ?? [];
  const folders = options.folders ?? [];
  const contents = keys
    .map(
      (k) =>
        `<Contents><Key>${xmlEscape(k.key)}</Key><LastModified>${k.lastModified ?? '2025-03-04T00:07:12.000Z'}</LastModified>` +
        `<ETag>&quot;5f2b6a1d9c7e3f0a8b4c2d1e6f7a8b9c&quot;</ETag><Size>${k.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
    )
    .join('');
  const prefixes = folders.map((f) => `<CommonPrefixes><Prefix>${xmlEscape(f)}</Prefix></CommonPrefixes>`).join('');
  return s3Xml(
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
      `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${options.bucket}</Name>` +
      `<Prefix>${xmlEscape(options.prefix)}</Prefix>` +
      (options.continuationToken ? `<ContinuationToken>${options.continuationToken}</ContinuationToken>` : '') +
      (options.nextContinuationToken ? `<NextContinuationToken>${options.nextContinuationToken}</NextContinuationToken>` : '') +
      `<KeyCount>${keys.length + folders.length}</KeyCount><MaxKeys>1000</MaxKeys>` +
      (options.delimiter ? `<Delimiter>${options.delimiter}</Delimiter>` : '') +
      `<IsTruncated>${options.nextContinuationToken ? 'true' : 'false'}</IsTruncated>${contents}${prefixes}</ListBucketResult>`,
  );
}

type TableMetadataBody = {
  TableMetadata: {
    Name: string;
    CreateTime: number;
    LastAccessTime: number;
    TableType: string;
    Columns: { Name: string; Type: string }[];
    PartitionKeys: { Name: string; Type: string }[];
    Parameters: Record<string, string>;
  };
};

/**
 * The GetTableMetadata response for access_index as created from lib/lake/ddl/access_index.sql with
 * LOCATION `location`, in the shape of the stored get-table-metadata-*.json fixtures (the API's
 * TableMetadata: Name, CreateTime, LastAccessTime, TableType, Columns, PartitionKeys, Parameters).
 * Its columns are spelled out here, not derived from the code under test.
 */
export function accessIndexTableMetadata(location = 's3://custos-index/audit/access_index/'): TableMetadataBody {
  const columns = [
    'event_time', 'principal', 'person', 'role', 'action', 'source', 'image_set_id', 'bucket', 'object_key',
    'study_prefix', 'source_ip', 'user_agent', 'outcome', 'sources', 'request_id', 'event_id',
  ];
  return {
    TableMetadata: {
      Name: 'access_index',
      CreateTime: 1740787440,
      LastAccessTime: 0,
      TableType: 'EXTERNAL_TABLE',
      Columns: columns.map((Name) => ({ Name, Type: 'string' })),
      PartitionKeys: [{ Name: 'day', Type: 'string' }],
      Parameters: {
        EXTERNAL: 'TRUE',
        inputformat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
        location,
        outputformat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
        'parquet.compression': 'ZSTD',
        'projection.day.format': 'yyyy-MM-dd',
        'projection.day.interval': '1',
        'projection.day.interval.unit': 'DAYS',
        'projection.day.range': 'NOW-10YEARS,NOW',
        'projection.day.type': 'date',
        'projection.enabled': 'true',
        'serde.param.serialization.format': '1',
        'serde.serialization.lib': 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
        'storage.location.template': `${location}day=\${day}/`,
      },
    },
  };
}

/** A GetTableMetadata body by table name: the stored fixture of a lake table, or access_index's. */
export function tableMetadata(table: string): TableMetadataBody {
  return table === 'access_index'
    ? accessIndexTableMetadata()
    : jsonFixture<TableMetadataBody>(`athena/get-table-metadata-${table}.json`);
}

/** Answers GetTableMetadata for whichever table the request names. */
export function tableMetadataResponder(request: { json: Record<string, unknown> }): ReplayResponse {
  return athenaOk(tableMetadata(String(request.json.TableName)));
}
