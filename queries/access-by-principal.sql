/*---
id: access-by-principal
title: Access to images by principal
description: >-
  Requests to images per principal in the window, busiest first: how many, through which
  service, how many distinct studies, how many outside business hours and how many refused.
  Aggregates only: the top principals of the posture dashboards.
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
  - { name: principal, label: Principal, kind: arn, description: "The IAM principal (ARN), or the access log's requester." }
  - { name: person, label: Person, priority: 1, fallback: principal, description: The session name behind a role (e.g. the user's e-mail); empty when the principal acted as itself. }
  - { name: requests, label: Requests, kind: number, priority: 2, description: Requests to images. }
  - { name: healthimaging_requests, label: HealthImaging, kind: number, priority: 3, description: Those made to HealthImaging. }
  - { name: s3_requests, label: S3, kind: number, priority: 4, description: Those made to S3 objects. }
  - { name: studies, label: Studies, kind: number, priority: 5, description: Distinct studies touched. }
  - { name: after_hours_requests, label: After hours, kind: number, priority: 6, description: Requests made outside business hours in the chosen time zone. }
  - { name: refused, label: Refused, kind: number, priority: 7, description: Requests that failed. }
limits: >-
  Requests through a shared service role count for the role, not for the person behind it. Hours
  without logs (see the coverage) count nothing.
---*/
WITH studies AS (
  SELECT patient_id_hash, study_instance_uid, accession_number, image_set_id, s3_key_prefix, modality, vip
  FROM study_catalog
),
actors AS (SELECT CAST(NULL AS varchar) AS principal, true AS everyone),
{{> image-accesses}},
localized AS (
  SELECT principal, source, study_instance_uid, outcome,
         hour(at_timezone(from_iso8601_timestamp(event_time), :time_zone)) AS local_hour
  FROM accesses
)
SELECT principal,
       CASE WHEN principal LIKE 'arn:%:sts::%:assumed-role/%' THEN split_part(principal, '/', 3) END AS person,
       count(*) AS requests, count_if(source = 'healthimaging') AS healthimaging_requests, count_if(source = 's3') AS s3_requests,
       count(DISTINCT study_instance_uid) AS studies,
       count_if(local_hour < :start_hour OR local_hour >= :end_hour) AS after_hours_requests,
       count_if(outcome <> 'success') AS refused
FROM localized
GROUP BY principal
ORDER BY requests DESC, principal
