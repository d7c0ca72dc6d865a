/*---
id: access-volume
title: Access to images per day
description: >-
  Requests to images per UTC day, service (HealthImaging, S3) and action, with how many came
  outside business hours in the health system's time zone and how many were refused. Aggregates
  only: the access overview of the posture dashboards.
roles: [security_officer, privacy_officer, auditor]
tables: [cloudtrail_logs, s3_access_logs, study_catalog]
range: { from: from, to: to }
params:
  - { name: from, type: date, label: From, default: $range_start, help: "First day (UTC), inclusive." }
  - { name: to, type: date, label: To, default: $range_end, help: "Last day (UTC), inclusive." }
  - { name: time_zone, type: timezone, label: Time zone, default: $time_zone, help: The IANA time zone business hours are counted in. }
  - { name: start_hour, type: hour, label: Business hours start, default: $business_start, help: First hour of the working day (0–24). }
  - { name: end_hour, type: hour, label: Business hours end, default: $business_end, help: The hour the working day ends (0–24). }
columns:
  - { name: day, label: Day (UTC), kind: date, priority: 1, description: "The UTC day of the requests." }
  - { name: source, label: Service, priority: 2, description: "healthimaging or s3." }
  - { name: action, label: Action, priority: 3, description: The API action. }
  - { name: requests, label: Requests, kind: number, priority: 4, description: "Requests to images (an S3 request seen by CloudTrail and the access log counts once)." }
  - { name: after_hours_requests, label: After hours, kind: number, priority: 5, description: Those made outside business hours in the chosen time zone. }
  - { name: refused, label: Refused, kind: number, priority: 6, description: Those that failed (access denied or another error). }
limits: >-
  Counts what CloudTrail and the S3 server access log recorded; hours without logs (see the
  coverage) count nothing. Weekends and public holidays are not treated differently from weekdays.
---*/
WITH studies AS (
  SELECT patient_id_hash, study_instance_uid, accession_number, image_set_id, s3_key_prefix, modality, vip
  FROM study_catalog
),
actors AS (SELECT CAST(NULL AS varchar) AS principal, true AS everyone),
{{> image-accesses}},
localized AS (
  SELECT substr(event_time, 1, 10) AS day_text, source, action, outcome,
         hour(at_timezone(from_iso8601_timestamp(event_time), :time_zone)) AS local_hour
  FROM accesses
)
SELECT CAST(day_text AS date) AS day, source, action, count(*) AS requests,
       count_if(local_hour < :start_hour OR local_hour >= :end_hour) AS after_hours_requests,
       count_if(outcome <> 'success') AS refused
FROM localized
GROUP BY day_text, source, action
ORDER BY day, source, action
