-- Production counterpart of `custos lake compact`: Athena keeps a zstd Parquet copy of the raw
-- CloudTrail table with the same columns, and the saved queries read a view that unions the
-- compacted days with the raw days not compacted yet. Run in the Athena database the portal uses;
-- {{…}} placeholders as in the table DDL. Steps 1–3 once; step 4 daily.

-- 1. The raw table (lib/lake/ddl/cloudtrail_logs.sql) is created as cloudtrail_logs_raw.

-- 2. The compacted table, filled a month at a time (a CTAS or INSERT INTO writes at most 100
--    partitions, so one statement per account/region/month keeps well below the limit).
CREATE TABLE cloudtrail_logs_parquet
WITH (
    format = 'PARQUET',
    write_compression = 'ZSTD',
    external_location = 's3://{{LOG_BUCKET}}/{{COMPACT_PREFIX}}cloudtrail_logs/',
    partitioned_by = ARRAY['account', 'region', 'timestamp']
) AS
SELECT * FROM cloudtrail_logs_raw
WHERE "timestamp" BETWEEN '{{FIRST_DAY}}' AND '{{LAST_DAY_OF_FIRST_MONTH}}';

INSERT INTO cloudtrail_logs_parquet
SELECT * FROM cloudtrail_logs_raw
WHERE "timestamp" BETWEEN '{{MONTH_FIRST_DAY}}' AND '{{MONTH_LAST_DAY}}';

-- 3. What the saved queries read: compacted days up to the watermark, raw days after it, so nothing
--    is missing or counted twice. Partition filters in a query reach both sides through the view.
CREATE OR REPLACE VIEW cloudtrail_logs AS
SELECT * FROM cloudtrail_logs_parquet WHERE "timestamp" <= '{{WATERMARK_DAY}}'
UNION ALL
SELECT * FROM cloudtrail_logs_raw WHERE "timestamp" > '{{WATERMARK_DAY}}';

-- 4. Daily, once a delivery day is complete (two days back, allowing for late delivery): append it,
--    then move the watermark by replacing the view with the new day (step 3). If the job fails
--    between the two statements, the watermark has not moved and the day is read raw; the next run
--    deletes that day's Parquet objects before inserting again, so a day is never counted twice.
INSERT INTO cloudtrail_logs_parquet
SELECT * FROM cloudtrail_logs_raw
WHERE "timestamp" = '{{DAY_TO_COMPACT}}';
