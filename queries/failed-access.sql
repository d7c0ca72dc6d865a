/*---
id: failed-access
title: Failed access
description: >-
  Requests refused with access denied on HealthImaging, S3 and KMS, by principal and service: a
  probe, a broken role after a policy change, or a viewer that silently fails to render studies.
roles: [privacy_officer, security_officer, auditor]
tables: [cloudtrail_logs, s3_access_logs]
range: { from: from, to: to }
params:
  - { name: from, type: date, label: From, default: $range_start, help: "First day (UTC), inclusive." }
  - { name: to, type: date, label: To, default: $range_end, help: "Last day (UTC), inclusive." }
columns:
  - { name: principal, label: Principal, kind: arn, description: "The IAM principal (ARN), or - for an anonymous request." }
  - { name: source, label: Service, description: "healthimaging, s3 or kms." }
  - { name: denied, label: Refused, kind: number, description: Refused requests (an S3 request seen in CloudTrail and the access log counts once). }
  - { name: actions, label: Actions, description: The actions that were refused. }
  - { name: first_denied, label: First (UTC), kind: time, description: "The first refusal (UTC)." }
  - { name: last_denied, label: Last (UTC), kind: time, description: "The last refusal (UTC)." }
limits: Only refusals the logs record; requests blocked before reaching AWS (network, VPC endpoint policies) may not appear.
---*/
WITH ct AS (
  SELECT eventid, eventtime, eventsource, eventname, useridentity.arn AS principal, errorcode, requestid,
         row_number() OVER (PARTITION BY eventid ORDER BY eventtime) AS copy
  FROM cloudtrail_logs
  WHERE "timestamp" BETWEEN :from_partition AND :to_next_partition
    AND eventsource IN ('medical-imaging.amazonaws.com', 's3.amazonaws.com', 'kms.amazonaws.com')
    AND errorcode LIKE '%AccessDenied%'
    AND eventtime >= :from_iso AND eventtime < :to_next_iso
),
log_denied AS (
  SELECT requestid, requester, operation,
         date_format(parse_datetime(requestdatetime, 'dd/MMM/yyyy:HH:mm:ss Z'), '%Y-%m-%dT%H:%i:%sZ') AS log_time,
         row_number() OVER (PARTITION BY requestid ORDER BY requestdatetime) AS copy
  FROM s3_access_logs
  WHERE "timestamp" BETWEEN :from_partition AND :to_next_partition
    AND errorcode = 'AccessDenied'
    AND parse_datetime(requestdatetime, 'dd/MMM/yyyy:HH:mm:ss Z') >= :from_ts
    AND parse_datetime(requestdatetime, 'dd/MMM/yyyy:HH:mm:ss Z') < :to_next_ts
),
s3_denied AS (
  SELECT coalesce(t.principal, l.requester) AS principal,
         coalesce(t.eventname, l.operation) AS action,
         coalesce(t.eventtime, l.log_time) AS event_time
  FROM (SELECT * FROM ct WHERE copy = 1 AND eventsource = 's3.amazonaws.com') t
  FULL OUTER JOIN (SELECT * FROM log_denied WHERE copy = 1) l ON t.requestid = l.requestid
),
denied AS (
  SELECT principal, CASE eventsource WHEN 'kms.amazonaws.com' THEN 'kms' ELSE 'healthimaging' END AS source,
         eventname AS action, eventtime AS event_time
  FROM ct
  WHERE copy = 1 AND eventsource IN ('medical-imaging.amazonaws.com', 'kms.amazonaws.com')
  UNION ALL
  SELECT principal, 's3', action, event_time FROM s3_denied
)
SELECT coalesce(principal, '-') AS principal, source, count(*) AS denied,
       array_join(array_sort(array_agg(DISTINCT action)), ', ') AS actions,
       min(event_time) AS first_denied, max(event_time) AS last_denied
FROM denied
GROUP BY coalesce(principal, '-'), source
ORDER BY denied DESC, principal, source
