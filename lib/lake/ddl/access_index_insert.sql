-- Builds the access index for a window of days: every access to an image set or a study object
-- that the raw log tables hold for [:from, :to] (queries/fragments/access-rows.sql: the same rows
-- the saved queries compute for days not yet indexed), appended to access_index with its day.
-- On Athena the portal runs this INSERT (at most 31 days per statement: an INSERT INTO writes at
-- most 100 partitions); the embedded engine runs the SELECT and writes one Parquet file per day.
INSERT INTO access_index
WITH studies AS (SELECT CAST(NULL AS varchar) AS image_set_id, CAST(NULL AS varchar) AS s3_key_prefix WHERE false),
study_scope AS (SELECT true AS every_study),
actors AS (SELECT CAST(NULL AS varchar) AS principal, true AS everyone),
{{> access-rows}}
SELECT event_time,
       principal,
       CASE WHEN principal LIKE 'arn:%:sts::%:assumed-role/%' THEN split_part(principal, '/', 3) END AS person,
       CASE WHEN principal LIKE 'arn:%:sts::%:assumed-role/%' THEN split_part(principal, '/', 2) END AS role,
       action, source, image_set_id, bucket, object_key, study_prefix, source_ip, user_agent, outcome, sources,
       request_id, event_id,
       substr(event_time, 1, 10) AS day
FROM raw_accesses
