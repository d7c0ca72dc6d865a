-- One row per access to an image set or a study object, for the studies in the including query's
-- `studies` CTE (columns: patient_id_hash, study_instance_uid, accession_number, image_set_id,
-- s3_key_prefix, modality, vip), in [:from_ts, :to_next_ts). An access is a HealthImaging request
-- naming one of the image sets, or an S3 object request under a study prefix seen by CloudTrail
-- and/or the server access log (one row per request id); the KMS Decrypt S3 made for it is
-- part of it. CloudTrail duplicates (same event id) count once.
ct AS (
  SELECT eventid, eventtime, eventsource, eventname, useridentity.arn AS principal, sourceipaddress,
         useragent, errorcode, requestparameters, requestid
  FROM cloudtrail_logs
  WHERE "timestamp" BETWEEN :from_partition AND :to_next_partition
    AND eventsource IN ('medical-imaging.amazonaws.com', 's3.amazonaws.com', 'kms.amazonaws.com')
    AND from_iso8601_timestamp(eventtime) >= :from_ts
    AND from_iso8601_timestamp(eventtime) < :to_next_ts
),
imaging AS (
  SELECT c.*, s.patient_id_hash, s.study_instance_uid, s.accession_number, s.modality, s.vip,
         row_number() OVER (PARTITION BY c.eventid ORDER BY c.eventtime) AS copy
  FROM ct c
  JOIN studies s ON json_extract_scalar(c.requestparameters, '$.imageSetId') = s.image_set_id
  WHERE c.eventsource = 'medical-imaging.amazonaws.com'
),
s3_trail AS (
  SELECT c.*, json_extract_scalar(c.requestparameters, '$.key') AS object_key,
         json_extract_scalar(c.requestparameters, '$.bucketName') AS bucket,
         row_number() OVER (PARTITION BY c.eventid ORDER BY c.eventtime) AS copy
  FROM ct c
  WHERE c.eventsource = 's3.amazonaws.com'
    AND c.eventname IN ('GetObject', 'HeadObject', 'PutObject', 'CopyObject', 'DeleteObject')
),
s3_log AS (
  SELECT requestid, bucket_name AS bucket, url_decode(key) AS object_key, requester, remoteip,
         replace(useragent, '"', '') AS useragent, operation,
         CASE WHEN errorcode <> '-' THEN errorcode
              WHEN httpstatus LIKE '4%' OR httpstatus LIKE '5%' THEN concat('HTTP ', httpstatus) END AS errorcode,
         date_format(parse_datetime(requestdatetime, 'dd/MMM/yyyy:HH:mm:ss Z'), '%Y-%m-%dT%H:%i:%sZ') AS log_time,
         row_number() OVER (PARTITION BY requestid ORDER BY requestdatetime) AS copy
  FROM s3_access_logs
  WHERE "timestamp" BETWEEN :from_partition AND :to_next_partition
    AND operation IN ('REST.GET.OBJECT', 'REST.HEAD.OBJECT', 'REST.PUT.OBJECT', 'REST.DELETE.OBJECT',
                      'REST.COPY.OBJECT', 'REST.COPY.OBJECT_GET')
    AND parse_datetime(requestdatetime, 'dd/MMM/yyyy:HH:mm:ss Z') >= :from_ts
    AND parse_datetime(requestdatetime, 'dd/MMM/yyyy:HH:mm:ss Z') < :to_next_ts
),
s3_requests AS (
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
         l.requestid IS NOT NULL AS log_seen
  FROM (SELECT * FROM s3_trail WHERE copy = 1) t
  FULL OUTER JOIN (SELECT * FROM s3_log WHERE copy = 1) l ON t.requestid = l.requestid
),
s3_studies AS (
  -- Study objects live under <top>/<study>/ prefixes, so the join is an equality.
  SELECT r.*, s.patient_id_hash, s.study_instance_uid, s.accession_number, s.modality, s.vip
  FROM s3_requests r
  JOIN studies s ON regexp_extract(r.object_key, '^[^/]+/[^/]+/') = s.s3_key_prefix
),
kms AS (
  SELECT DISTINCT principal, from_iso8601_timestamp(eventtime) AS decrypted_at,
         json_extract_scalar(requestparameters, '$.encryptionContext["aws:s3:arn"]') AS object_arn
  FROM ct
  WHERE eventsource = 'kms.amazonaws.com' AND eventname = 'Decrypt'
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
