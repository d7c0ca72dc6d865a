-- S3 server access logs of the archive bucket, date-based partitioning (PartitionedPrefix), as in
-- AWS's documented regex-SerDe DDL: 18 mandatory fields and 9 optional trailing ones, so older
-- lines with fewer fields and newer lines with more both load.
CREATE EXTERNAL TABLE s3_access_logs (
    bucketowner STRING,
    bucket_name STRING,
    requestdatetime STRING,
    remoteip STRING,
    requester STRING,
    requestid STRING,
    operation STRING,
    key STRING,
    request_uri STRING,
    httpstatus STRING,
    errorcode STRING,
    bytessent BIGINT,
    objectsize BIGINT,
    totaltime STRING,
    turnaroundtime STRING,
    referrer STRING,
    useragent STRING,
    versionid STRING,
    hostid STRING,
    sigv STRING,
    ciphersuite STRING,
    authtype STRING,
    endpoint STRING,
    tlsversion STRING,
    accesspointarn STRING,
    aclrequired STRING,
    sourceregion STRING
)
PARTITIONED BY (
    `timestamp` STRING
)
ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.RegexSerDe'
WITH SERDEPROPERTIES (
    'input.regex' = '([^ ]*) ([^ ]*) \\[(.*?)\\] ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) (\"[^\"]*\"|-) (-|[0-9]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) (\"[^\"]*\"|-) ([^ ]*)(?: ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*))?.*$'
)
STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION 's3://{{LOG_BUCKET}}/{{ACCESS_LOG_PREFIX}}{{ACCOUNT}}/{{REGION}}/{{ARCHIVE_BUCKET}}/'
TBLPROPERTIES (
    'projection.enabled' = 'true',
    'projection.timestamp.type' = 'date',
    'projection.timestamp.format' = 'yyyy/MM/dd',
    'projection.timestamp.interval' = '1',
    'projection.timestamp.interval.unit' = 'DAYS',
    'projection.timestamp.range' = '{{PROJECTION_START}},NOW',
    'storage.location.template' = 's3://{{LOG_BUCKET}}/{{ACCESS_LOG_PREFIX}}{{ACCOUNT}}/{{REGION}}/{{ARCHIVE_BUCKET}}/${timestamp}'
);
