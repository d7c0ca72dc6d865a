-- The access index: one row per access to an image set or study object (a HealthImaging request
-- naming an image set, or an S3 object request under a study prefix, with the logs that saw it),
-- built once per UTC day of logs and read by the saved queries instead of the raw log tables for
-- the days it holds. Filled by INSERT INTO … SELECT (README.md, "The access index"); `day` is the
-- UTC day of event_time.
-- {{INDEX_LOCATION}} is CUSTOS_ATHENA_INDEX_LOCATION, an s3://bucket/prefix/ URI ending in '/'.
CREATE EXTERNAL TABLE access_index (
    event_time STRING,
    principal STRING,
    person STRING,
    role STRING,
    action STRING,
    source STRING,
    image_set_id STRING,
    bucket STRING,
    object_key STRING,
    study_prefix STRING,
    source_ip STRING,
    user_agent STRING,
    outcome STRING,
    sources STRING,
    request_id STRING,
    event_id STRING
)
PARTITIONED BY (
    day STRING
)
STORED AS PARQUET
LOCATION '{{INDEX_LOCATION}}'
TBLPROPERTIES (
    'projection.enabled' = 'true',
    'projection.day.type' = 'date',
    'projection.day.format' = 'yyyy-MM-dd',
    'projection.day.range' = 'NOW-10YEARS,NOW',
    'projection.day.interval' = '1',
    'projection.day.interval.unit' = 'DAYS',
    'storage.location.template' = '{{INDEX_LOCATION}}day=${day}/',
    'parquet.compression' = 'ZSTD'
);
