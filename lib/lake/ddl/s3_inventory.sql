-- S3 Inventory of the archive bucket (Parquet output, all object versions), read through the
-- hive/dt=…/symlink.txt entry points; `dt` is the report's YYYY-MM-DD-HH-MM. CSV reports carry the
-- same fields (keys URL-encoded, no header); the embedded engine reads both into these columns.
CREATE EXTERNAL TABLE s3_inventory (
    bucket STRING,
    key STRING,
    version_id STRING,
    is_latest BOOLEAN,
    is_delete_marker BOOLEAN,
    size BIGINT,
    last_modified_date TIMESTAMP,
    e_tag STRING,
    storage_class STRING,
    is_multipart_uploaded BOOLEAN,
    replication_status STRING,
    encryption_status STRING,
    object_lock_retain_until_date TIMESTAMP,
    object_lock_mode STRING,
    object_lock_legal_hold_status STRING,
    intelligent_tiering_access_tier STRING,
    bucket_key_status STRING,
    checksum_algorithm STRING
)
PARTITIONED BY (
    dt STRING
)
ROW FORMAT SERDE 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe'
STORED AS INPUTFORMAT 'org.apache.hadoop.hive.ql.io.SymlinkTextInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.IgnoreKeyTextOutputFormat'
LOCATION 's3://{{LOG_BUCKET}}/{{INVENTORY_PREFIX}}{{ARCHIVE_BUCKET}}/{{INVENTORY_CONFIG_ID}}/hive/'
TBLPROPERTIES (
    'projection.enabled' = 'true',
    'projection.dt.type' = 'date',
    'projection.dt.format' = 'yyyy-MM-dd-HH-mm',
    'projection.dt.range' = '{{PROJECTION_START_INVENTORY}},NOW',
    'projection.dt.interval' = '1',
    'projection.dt.interval.unit' = 'DAYS'
);
