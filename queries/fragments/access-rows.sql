-- Accesses computed from the raw log tables: one row per request that touched an image set or a
-- study object, in [:from_raw_iso, :to_next_iso) — the days of a window the access index does not
-- hold (yet), or the days being indexed. An access is a HealthImaging request naming an image set,
-- or an S3 object request under a study prefix (<top>/<study>/) seen by CloudTrail and/or the
-- server access log (one row per request id); the KMS Decrypt S3 made for it is part of it.
-- CloudTrail duplicates (same event id) count once.
--
-- The including query defines `studies` (image_set_id, s3_key_prefix: the studies to keep),
-- `study_scope` (every_study: true keeps requests on any image set or study prefix, as the index
-- does) and `actors` (principal: an ARN or access-log requester; everyone: true keeps every
-- principal). Each source is narrowed to them first, so deduplication, the trail/log join and the
-- KMS match handle only those requests.
--
-- Records up to five minutes outside the window are read so that a request's trail record, its
-- access-log line and its KMS Decrypt pair up even across midnight or the window's edge; the row
-- then belongs to the window by its own time alone. A window's answer is therefore the union of
-- its days' answers, which is what lets the index hold one day at a time. CloudTrail's eventTime is
-- ISO 8601 UTC text, so bounds compare as text (no zone suffix: exact at any precision).
ct AS (
  SELECT eventid, eventtime, eventsource, eventname, principal, sourceipaddress, useragent, errorcode, requestid,
         image_set_id, object_key, object_arn,
         CASE WHEN eventsource = 's3.amazonaws.com' THEN json_extract_scalar(requestparameters, '$.bucketName') END AS bucket
  FROM (
    SELECT eventid, eventtime, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent,
           errorcode, requestid, requestparameters,
           CASE WHEN eventsource = 'medical-imaging.amazonaws.com'
                THEN json_extract_scalar(requestparameters, '$.imageSetId') END AS image_set_id,
           CASE WHEN eventsource = 's3.amazonaws.com' THEN json_extract_scalar(requestparameters, '$.key') END AS object_key,
           CASE WHEN eventsource = 'kms.amazonaws.com'
                THEN json_extract_scalar(requestparameters, '$.encryptionContext["aws:s3:arn"]') END AS object_arn
    FROM cloudtrail_logs
    WHERE "timestamp" BETWEEN :from_raw_slack_partition AND :to_next_partition
      AND eventtime >= :from_raw_slack_iso AND eventtime < :to_next_slack_iso
      AND (eventsource = 'medical-imaging.amazonaws.com'
           OR (eventsource = 's3.amazonaws.com'
               AND eventname IN ('GetObject', 'HeadObject', 'PutObject', 'CopyObject', 'DeleteObject'))
           OR (eventsource = 'kms.amazonaws.com' AND eventname = 'Decrypt'))
  ) c
  WHERE (c.principal IN (SELECT principal FROM actors) OR true IN (SELECT everyone FROM actors))
    AND (c.image_set_id IS NOT NULL OR c.object_key IS NOT NULL OR c.object_arn IS NOT NULL)
    AND (true IN (SELECT every_study FROM study_scope)
         OR c.image_set_id IN (SELECT image_set_id FROM studies)
         -- Study objects live under <top>/<study>/ prefixes, so each match is an equality.
         OR regexp_extract(c.object_key, '^[^/]+/[^/]+/') IN (SELECT s3_key_prefix FROM studies)
         OR regexp_extract(c.object_arn, '^arn:aws:s3:::[^/]+/([^/]+/[^/]+/)', 1) IN (SELECT s3_key_prefix FROM studies))
),
raw_imaging AS (
  SELECT c.*, row_number() OVER (PARTITION BY c.eventid ORDER BY c.eventtime) AS copy
  FROM ct c
  WHERE c.eventsource = 'medical-imaging.amazonaws.com' AND c.image_set_id IS NOT NULL
    AND c.eventtime >= :from_raw_iso AND c.eventtime < :to_next_iso
),
s3_trail AS (
  SELECT c.*, regexp_extract(c.object_key, '^[^/]+/[^/]+/') AS study_prefix,
         row_number() OVER (PARTITION BY c.eventid ORDER BY c.eventtime) AS copy
  FROM ct c
  WHERE c.eventsource = 's3.amazonaws.com' AND regexp_extract(c.object_key, '^[^/]+/[^/]+/') IS NOT NULL
),
s3_log AS (
  SELECT l.requestid, l.bucket, l.object_key, l.study_prefix, l.requester, l.remoteip,
         replace(l.useragent, '"', '') AS useragent, l.operation,
         CASE WHEN l.errorcode <> '-' THEN l.errorcode
              WHEN l.httpstatus LIKE '4%' OR l.httpstatus LIKE '5%' THEN concat('HTTP ', l.httpstatus) END AS errorcode,
         date_format(parse_datetime(l.requestdatetime, 'dd/MMM/yyyy:HH:mm:ss Z'), '%Y-%m-%dT%H:%i:%sZ') AS log_time,
         row_number() OVER (PARTITION BY l.requestid ORDER BY l.requestdatetime) AS copy
  FROM (
    SELECT requestid, bucket_name AS bucket, url_decode(key) AS object_key,
           regexp_extract(url_decode(key), '^[^/]+/[^/]+/') AS study_prefix, requester, remoteip, useragent,
           operation, requestdatetime, errorcode, httpstatus
    FROM s3_access_logs
    WHERE "timestamp" BETWEEN :from_raw_slack_partition AND :to_next_partition
      AND operation IN ('REST.GET.OBJECT', 'REST.HEAD.OBJECT', 'REST.PUT.OBJECT', 'REST.DELETE.OBJECT',
                        'REST.COPY.OBJECT', 'REST.COPY.OBJECT_GET')
      AND parse_datetime(requestdatetime, 'dd/MMM/yyyy:HH:mm:ss Z') >= :from_raw_slack_ts
      AND parse_datetime(requestdatetime, 'dd/MMM/yyyy:HH:mm:ss Z') < :to_next_slack_ts
  ) l
  WHERE l.study_prefix IS NOT NULL
    AND (true IN (SELECT every_study FROM study_scope) OR l.study_prefix IN (SELECT s3_key_prefix FROM studies))
    AND (l.requester IN (SELECT principal FROM actors)
         -- a person's role session that only the access log saw
         OR split_part(l.requester, '/', 3) IN (SELECT principal FROM actors)
         OR true IN (SELECT everyone FROM actors))
),
s3_rows AS (
  SELECT * FROM (
    SELECT coalesce(t.requestid, l.requestid) AS request_id,
           t.eventid AS event_id,
           coalesce(t.eventtime, l.log_time) AS event_time,
           coalesce(t.principal, l.requester) AS principal,
           coalesce(t.eventname,
             CASE l.operation WHEN 'REST.GET.OBJECT' THEN 'GetObject' WHEN 'REST.HEAD.OBJECT' THEN 'HeadObject'
                              WHEN 'REST.PUT.OBJECT' THEN 'PutObject' WHEN 'REST.DELETE.OBJECT' THEN 'DeleteObject'
                              ELSE 'CopyObject' END) AS action,
           coalesce(t.bucket, l.bucket) AS bucket,
           coalesce(t.object_key, l.object_key) AS object_key,
           coalesce(t.study_prefix, l.study_prefix) AS study_prefix,
           coalesce(t.sourceipaddress, l.remoteip) AS source_ip,
           coalesce(t.useragent, l.useragent) AS user_agent,
           CASE WHEN t.eventid IS NOT NULL THEN coalesce(t.errorcode, 'success') ELSE coalesce(l.errorcode, 'success') END AS outcome,
           t.eventid IS NOT NULL AS trail_seen,
           l.requestid IS NOT NULL AS log_seen
    FROM (SELECT * FROM s3_trail WHERE copy = 1) t
    FULL OUTER JOIN (SELECT * FROM s3_log WHERE copy = 1) l ON t.requestid = l.requestid
  ) p
  WHERE p.event_time >= :from_raw_iso AND p.event_time < :to_next_iso
),
kms AS (
  SELECT DISTINCT principal, from_iso8601_timestamp(eventtime) AS decrypted_at, object_arn
  FROM ct
  WHERE eventsource = 'kms.amazonaws.com'
),
s3_kms AS (
  SELECT p.request_id, bool_or(k.object_arn IS NOT NULL) AS kms_seen
  FROM s3_rows p
  LEFT JOIN kms k
    ON k.principal = p.principal
   AND k.object_arn = concat('arn:aws:s3:::', p.bucket, '/', p.object_key)
   AND k.decrypted_at BETWEEN from_iso8601_timestamp(p.event_time) - INTERVAL '60' SECOND
                          AND from_iso8601_timestamp(p.event_time) + INTERVAL '60' SECOND
  GROUP BY p.request_id
),
raw_accesses AS (
  SELECT eventtime AS event_time, principal, eventname AS action, 'healthimaging' AS source,
         image_set_id, CAST(NULL AS varchar) AS bucket, CAST(NULL AS varchar) AS object_key,
         CAST(NULL AS varchar) AS study_prefix, sourceipaddress AS source_ip, useragent AS user_agent,
         coalesce(errorcode, 'success') AS outcome, 'cloudtrail' AS sources, requestid AS request_id, eventid AS event_id
  FROM raw_imaging
  WHERE copy = 1
  UNION ALL
  SELECT p.event_time, p.principal, p.action, 's3', CAST(NULL AS varchar), p.bucket, p.object_key, p.study_prefix,
         p.source_ip, p.user_agent, p.outcome,
         concat_ws(',', CASE WHEN p.trail_seen THEN 'cloudtrail' END, CASE WHEN k.kms_seen THEN 'kms' END,
                        CASE WHEN p.log_seen THEN 's3_access_log' END),
         p.request_id, p.event_id
  FROM s3_rows p
  JOIN s3_kms k ON k.request_id = p.request_id
)
