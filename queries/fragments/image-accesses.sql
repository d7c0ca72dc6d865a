-- One row per access to an image set or a study object, for the studies in the including query's
-- `studies` CTE (columns: patient_id_hash, study_instance_uid, accession_number, image_set_id,
-- s3_key_prefix, modality, vip) by the principals in its `actors` CTE (columns principal: an ARN or
-- access-log requester, and everyone: true in a row that stands for every principal), in
-- [:from_ts, :to_next_ts). An access is a HealthImaging request
-- naming one of the image sets, or an S3 object request under a study prefix seen by CloudTrail
-- and/or the server access log (one row per request id); the KMS Decrypt S3 made for it is
-- part of it. CloudTrail duplicates (same event id) count once.
--
-- Each source is matched to the studies first, so deduplication, the trail/log join and the KMS
-- match handle only the studies' requests, not the whole window, and CloudTrail is read once. CloudTrail's eventTime is ISO
-- 8601 UTC text, so the window bounds it as text (:from_iso, :to_next_iso have no zone suffix,
-- which makes the comparison exact at any precision).
ct AS (
  -- One pass over the window's CloudTrail records, keeping only those that touch the studies:
  -- HealthImaging requests on their image sets, S3 object requests under their prefixes, and
  -- the KMS Decrypt calls S3 made for objects under their prefixes.
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
    WHERE "timestamp" BETWEEN :from_partition AND :to_next_partition
      AND eventtime >= :from_iso AND eventtime < :to_next_iso
      AND (eventsource = 'medical-imaging.amazonaws.com'
           OR (eventsource = 's3.amazonaws.com'
               AND eventname IN ('GetObject', 'HeadObject', 'PutObject', 'CopyObject', 'DeleteObject'))
           OR (eventsource = 'kms.amazonaws.com' AND eventname = 'Decrypt'))
  ) c
  WHERE (c.principal IN (SELECT principal FROM actors) OR true IN (SELECT everyone FROM actors))
    AND (c.image_set_id IN (SELECT image_set_id FROM studies)
         -- Study objects live under <top>/<study>/ prefixes, so each match is an equality.
         OR regexp_extract(c.object_key, '^[^/]+/[^/]+/') IN (SELECT s3_key_prefix FROM studies)
         OR regexp_extract(c.object_arn, '^arn:aws:s3:::[^/]+/([^/]+/[^/]+/)', 1) IN (SELECT s3_key_prefix FROM studies))
),
imaging AS (
  SELECT c.*, s.patient_id_hash, s.study_instance_uid, s.accession_number, s.modality, s.vip,
         row_number() OVER (PARTITION BY c.eventid ORDER BY c.eventtime) AS copy
  FROM ct c
  JOIN studies s ON c.image_set_id = s.image_set_id
  WHERE c.eventsource = 'medical-imaging.amazonaws.com'
),
s3_trail AS (
  SELECT c.*, s.patient_id_hash, s.study_instance_uid, s.accession_number, s.modality, s.vip,
         row_number() OVER (PARTITION BY c.eventid ORDER BY c.eventtime) AS copy
  FROM ct c
  JOIN studies s ON regexp_extract(c.object_key, '^[^/]+/[^/]+/') = s.s3_key_prefix
  WHERE c.eventsource = 's3.amazonaws.com'
),
s3_log AS (
  SELECT l.requestid, l.bucket, l.object_key, l.requester, l.remoteip, replace(l.useragent, '"', '') AS useragent,
         l.operation,
         CASE WHEN l.errorcode <> '-' THEN l.errorcode
              WHEN l.httpstatus LIKE '4%' OR l.httpstatus LIKE '5%' THEN concat('HTTP ', l.httpstatus) END AS errorcode,
         date_format(parse_datetime(l.requestdatetime, 'dd/MMM/yyyy:HH:mm:ss Z'), '%Y-%m-%dT%H:%i:%sZ') AS log_time,
         s.patient_id_hash, s.study_instance_uid, s.accession_number, s.modality, s.vip,
         row_number() OVER (PARTITION BY l.requestid ORDER BY l.requestdatetime) AS copy
  FROM (
    SELECT requestid, bucket_name AS bucket, url_decode(key) AS object_key, requester, remoteip, useragent,
           operation, requestdatetime, errorcode, httpstatus
    FROM s3_access_logs
    WHERE "timestamp" BETWEEN :from_partition AND :to_next_partition
      AND operation IN ('REST.GET.OBJECT', 'REST.HEAD.OBJECT', 'REST.PUT.OBJECT', 'REST.DELETE.OBJECT',
                        'REST.COPY.OBJECT', 'REST.COPY.OBJECT_GET')
      AND parse_datetime(requestdatetime, 'dd/MMM/yyyy:HH:mm:ss Z') >= :from_ts
      AND parse_datetime(requestdatetime, 'dd/MMM/yyyy:HH:mm:ss Z') < :to_next_ts
  ) l
  JOIN studies s ON regexp_extract(l.object_key, '^[^/]+/[^/]+/') = s.s3_key_prefix
  WHERE l.requester IN (SELECT principal FROM actors)
     -- a person's role session that only the access log saw
     OR split_part(l.requester, '/', 3) IN (SELECT principal FROM actors)
     OR true IN (SELECT everyone FROM actors)
),
s3_studies AS (
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
         coalesce(t.sourceipaddress, l.remoteip) AS source_ip,
         coalesce(t.useragent, l.useragent) AS user_agent,
         CASE WHEN t.eventid IS NOT NULL THEN coalesce(t.errorcode, 'success') ELSE coalesce(l.errorcode, 'success') END AS outcome,
         t.eventid IS NOT NULL AS trail_seen,
         l.requestid IS NOT NULL AS log_seen,
         coalesce(t.patient_id_hash, l.patient_id_hash) AS patient_id_hash,
         coalesce(t.study_instance_uid, l.study_instance_uid) AS study_instance_uid,
         coalesce(t.accession_number, l.accession_number) AS accession_number,
         coalesce(t.modality, l.modality) AS modality,
         coalesce(t.vip, l.vip) AS vip
  FROM (SELECT * FROM s3_trail WHERE copy = 1) t
  FULL OUTER JOIN (SELECT * FROM s3_log WHERE copy = 1) l ON t.requestid = l.requestid
),
kms AS (
  SELECT DISTINCT principal, from_iso8601_timestamp(eventtime) AS decrypted_at, object_arn
  FROM ct
  WHERE eventsource = 'kms.amazonaws.com'
),
s3_kms AS (
  SELECT p.request_id, bool_or(k.object_arn IS NOT NULL) AS kms_seen
  FROM s3_studies p
  LEFT JOIN kms k
    ON k.principal = p.principal
   AND k.object_arn = concat('arn:aws:s3:::', p.bucket, '/', p.object_key)
   AND k.decrypted_at BETWEEN from_iso8601_timestamp(p.event_time) - INTERVAL '60' SECOND
                          AND from_iso8601_timestamp(p.event_time) + INTERVAL '60' SECOND
  GROUP BY p.request_id
),
accesses AS (
  SELECT eventtime AS event_time, principal, eventname AS action, 'healthimaging' AS source,
         patient_id_hash, study_instance_uid, accession_number, modality, vip,
         sourceipaddress AS source_ip, useragent AS user_agent, coalesce(errorcode, 'success') AS outcome,
         'cloudtrail' AS sources, requestid AS request_id, eventid AS event_id
  FROM imaging
  WHERE copy = 1
  UNION ALL
  SELECT p.event_time, p.principal, p.action, 's3', p.patient_id_hash, p.study_instance_uid, p.accession_number,
         p.modality, p.vip, p.source_ip, p.user_agent, p.outcome,
         concat_ws(',', CASE WHEN p.trail_seen THEN 'cloudtrail' END, CASE WHEN k.kms_seen THEN 'kms' END,
                        CASE WHEN p.log_seen THEN 's3_access_log' END),
         p.request_id, p.event_id
  FROM s3_studies p
  JOIN s3_kms k ON k.request_id = p.request_id
)
