/*---
id: decrypt-denied-events
title: KMS Decrypt denied, every event
description: >-
  Every KMS Decrypt call refused with access denied in the window, one row per CloudTrail event:
  the drill-down behind a spike on the Decrypt-denied dashboard (which key, which principal, from
  where, with which client and error).
roles: [security_officer, privacy_officer, auditor]
tables: [cloudtrail_logs]
range: { from: from, to: to, maxDays: 31 }
params:
  - { name: from, type: date, label: From, default: $range_end, help: "First day (UTC), inclusive." }
  - { name: to, type: date, label: To, default: $range_end, help: "Last day (UTC), inclusive." }
columns:
  - { name: event_time, label: Time (UTC), kind: time, priority: 1, description: "When the call was refused (UTC)." }
  - { name: key_arn, label: KMS key, kind: arn, priority: 2, description: "The KMS key (from the request, or from the error message)." }
  - { name: principal, label: Principal, kind: arn, priority: 3, description: The IAM principal (ARN) whose Decrypt was refused. }
  - { name: source_ip, label: Source address, priority: 4, description: Where the call came from. }
  - { name: user_agent, label: Client, description: The client software (or the AWS service that called for the principal). }
  - { name: error_code, label: Error, priority: 5, description: "CloudTrail's error code (AccessDenied)." }
  - { name: region, label: Region, description: The Region of the KMS endpoint called. }
  - { name: event_id, label: Event ID, kind: id, description: CloudTrail's event id. }
limits: >-
  A refused Decrypt carries no request parameters, so it never names the object or study it was
  for. Decrypt calls are management events; a trail that excludes KMS events shows nothing here.
---*/
WITH denied AS (
  SELECT eventid, eventtime, useridentity.arn AS principal, sourceipaddress, useragent, errorcode, awsregion,
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
SELECT eventtime AS event_time, key_arn, principal, sourceipaddress AS source_ip, useragent AS user_agent,
       errorcode AS error_code, awsregion AS region, eventid AS event_id
FROM denied
WHERE copy = 1
ORDER BY event_time, event_id
