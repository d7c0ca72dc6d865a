/*---
id: decrypt-denied-timeline
title: KMS Decrypt denied, per hour
description: >-
  KMS Decrypt calls refused with access denied, per hour, key and principal. A burst right after a
  key-policy change means studies silently fail to open: the failure mode the archive's design says
  to alarm on.
roles: [security_officer, privacy_officer, auditor]
tables: [cloudtrail_logs]
range: { from: from, to: to }
params:
  - { name: from, type: date, label: From, default: $range_start, help: "First day (UTC), inclusive." }
  - { name: to, type: date, label: To, default: $range_end, help: "Last day (UTC), inclusive." }
columns:
  - { name: hour, label: Hour (UTC), kind: time, description: "The clock hour (UTC)." }
  - { name: key_arn, label: KMS key, kind: arn, description: "The KMS key (from the request, or from the error message when the request was refused before it was read)." }
  - { name: principal, label: Principal, kind: arn, description: The IAM principal (ARN) whose Decrypt was refused. }
  - { name: denied, label: Refused, kind: number, description: Refused Decrypt calls in that hour. }
  - { name: first_denied, label: First (UTC), kind: time, description: "The hour's first refusal (UTC)." }
  - { name: last_denied, label: Last (UTC), kind: time, description: "The hour's last refusal (UTC)." }
limits: Decrypt calls are logged as management events; a trail that excludes KMS events shows nothing here.
---*/
WITH denied AS (
  SELECT eventid, eventtime, useridentity.arn AS principal,
         coalesce(json_extract_scalar(requestparameters, '$.keyId'),
                  nullif(regexp_extract(errormessage, 'arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[0-9a-f-]+'), '')) AS key_arn,
         row_number() OVER (PARTITION BY eventid ORDER BY eventtime) AS copy
  FROM cloudtrail_logs
  WHERE "timestamp" BETWEEN :from_partition AND :to_next_partition
    AND eventsource = 'kms.amazonaws.com'
    AND eventname = 'Decrypt'
    AND errorcode IN ('AccessDenied', 'AccessDeniedException')
    AND eventtime >= :from_iso AND eventtime < :to_next_iso
)
SELECT date_format(date_trunc('hour', from_iso8601_timestamp(eventtime)), '%Y-%m-%dT%H:00:00Z') AS hour,
       key_arn, principal, count(*) AS denied, min(eventtime) AS first_denied, max(eventtime) AS last_denied
FROM denied
WHERE copy = 1
GROUP BY date_trunc('hour', from_iso8601_timestamp(eventtime)), key_arn, principal
ORDER BY hour, key_arn, principal
