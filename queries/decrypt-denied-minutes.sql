/*---
id: decrypt-denied-minutes
title: KMS Decrypt denied, per minute
description: >-
  KMS Decrypt calls refused with access denied, per minute, key, principal and source address,
  with the first and last refusal of each: what the Decrypt-denied dashboard adds up into its daily
  and hourly timeline, its baseline and its spikes.
roles: [security_officer, privacy_officer, auditor]
tables: [cloudtrail_logs]
range: { from: from, to: to }
params:
  - { name: from, type: date, label: From, default: $range_start, help: "First day (UTC), inclusive." }
  - { name: to, type: date, label: To, default: $range_end, help: "Last day (UTC), inclusive." }
columns:
  - { name: minute, label: Minute (UTC), kind: time, priority: 1, description: "The minute (UTC)." }
  - { name: key_arn, label: KMS key, kind: arn, priority: 2, description: "The KMS key (from the request, or from the error message when the request was refused before it was read)." }
  - { name: principal, label: Principal, kind: arn, priority: 3, description: The IAM principal (ARN) whose Decrypt was refused. }
  - { name: source_ip, label: Source address, priority: 4, description: "Where the calls came from (an address, or the AWS service that called for the principal)." }
  - { name: denied, label: Refused, kind: number, priority: 5, description: Refused Decrypt calls in that minute. }
  - { name: first_denied, label: First (UTC), kind: time, description: "The minute's first refusal (UTC)." }
  - { name: last_denied, label: Last (UTC), kind: time, description: "The minute's last refusal (UTC)." }
limits: Decrypt calls are logged as management events; a trail that excludes KMS events shows nothing here.
---*/
WITH denied AS (
  SELECT eventid, eventtime, useridentity.arn AS principal, sourceipaddress AS source_ip,
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
-- Minutes are grouped on eventTime's text (YYYY-MM-DDTHH:MM, UTC ISO 8601).
SELECT concat(substr(eventtime, 1, 16), ':00Z') AS minute, key_arn, principal, source_ip, count(*) AS denied,
       min(eventtime) AS first_denied, max(eventtime) AS last_denied
FROM denied
WHERE copy = 1
GROUP BY substr(eventtime, 1, 16), key_arn, principal, source_ip
ORDER BY minute, key_arn, principal, source_ip
