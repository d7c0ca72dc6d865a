/*---
id: after-hours-summary
title: After-hours access by person and day
description: >-
  Who read images outside business hours in the health system's time zone (by default before 07:00
  or from 19:00 on), one row per person and UTC day: how many requests, how many studies, how many
  patients. Where a review of night reads starts; each row opens that person's requests of the day.
roles: [privacy_officer]
tables: [cloudtrail_logs, s3_access_logs, study_catalog]
range: { from: from, to: to }
params:
  - { name: from, type: date, label: From, default: $range_start, help: "First day (UTC), inclusive." }
  - { name: to, type: date, label: To, default: $range_end, help: "Last day (UTC), inclusive." }
  - { name: time_zone, type: timezone, label: Time zone, default: $time_zone, help: The IANA time zone business hours are counted in. }
  - { name: start_hour, type: hour, label: Business hours start, default: $business_start, help: First hour of the working day (0–24). }
  - { name: end_hour, type: hour, label: Business hours end, default: $business_end, help: The hour the working day ends (0–24). }
columns:
  - { name: person, label: Person, priority: 1, description: "The session name behind a role (e.g. the user's e-mail), or the principal (ARN) when it acted as itself." }
  - { name: day, label: Day (UTC), kind: date, priority: 2, description: "The UTC day of the requests (a night shift spans two)." }
  - { name: after_hours_requests, label: After-hours requests, kind: number, priority: 3, description: Requests to images outside business hours that day. }
  - { name: studies, label: Studies, kind: number, priority: 4, description: Distinct studies they touched. }
  - { name: patients, label: Patients, kind: number, priority: 5, description: Distinct patients those studies belong to. }
drilldown:
  query: after-hours-access
  label: Show requests
  columns: { person: person, from: day, to: day }
  params: [time_zone, start_hour, end_hour]
limits: >-
  Weekends and public holidays are not treated differently from weekdays. Days are UTC days, so a
  night shift in the health system's time zone is split across two rows.
---*/
WITH studies AS (
  SELECT patient_id_hash, study_instance_uid, accession_number, image_set_id, s3_key_prefix, modality, vip
  FROM study_catalog
),
actors AS (SELECT CAST(NULL AS varchar) AS principal, true AS everyone),
{{> image-accesses}},
-- The local hour is computed once per access (a filter naming it twice would convert twice).
localized AS (
  SELECT principal, event_time, study_instance_uid, patient_id_hash,
         hour(at_timezone(from_iso8601_timestamp(event_time), :time_zone)) AS local_hour
  FROM accesses
),
after_hours AS (
  SELECT CASE WHEN principal LIKE 'arn:%:sts::%:assumed-role/%' THEN split_part(principal, '/', 3) ELSE principal END AS person,
         CAST(substr(event_time, 1, 10) AS date) AS day, study_instance_uid, patient_id_hash
  FROM localized
  WHERE local_hour < :start_hour OR local_hour >= :end_hour
)
SELECT person, day, count(*) AS after_hours_requests, count(DISTINCT study_instance_uid) AS studies,
       count(DISTINCT patient_id_hash) AS patients
FROM after_hours
GROUP BY person, day
ORDER BY after_hours_requests DESC, day, person
