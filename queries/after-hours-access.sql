/*---
id: after-hours-access
title: After-hours access
description: >-
  Accesses to images outside business hours in the health system's time zone (by default before
  07:00 or from 19:00 on), one row per request; optionally one person's only. Night reads are
  normal in an emergency department: start from the after-hours summary (per person and day) and
  open the requests of the days worth a look.
roles: [privacy_officer]
tables: [cloudtrail_logs, s3_access_logs, study_catalog]
range: { from: from, to: to }
params:
  - { name: from, type: date, label: From, default: $range_start, help: "First day (UTC), inclusive." }
  - { name: to, type: date, label: To, default: $range_end, help: "Last day (UTC), inclusive." }
  - { name: time_zone, type: timezone, label: Time zone, default: $time_zone, help: The IANA time zone business hours are counted in. }
  - { name: start_hour, type: hour, label: Business hours start, default: $business_start, help: First hour of the working day (0–24). }
  - { name: end_hour, type: hour, label: Business hours end, default: $business_end, help: The hour the working day ends (0–24). }
  - name: person
    type: principal
    label: Person (optional)
    required: false
    help: "Only this person's requests: a role session name such as the user's e-mail, or a full principal ARN. Empty: everyone's."
columns:
  - { name: event_time, label: Time (UTC), kind: time, priority: 1, description: "When it happened (UTC)." }
  - { name: local_time, label: Local time, priority: 2, description: "The same moment in the chosen time zone." }
  - { name: principal, label: Principal, kind: arn, description: The IAM principal (ARN). }
  - { name: federated_user, label: Person, priority: 3, fallback: principal, description: The person behind a role session (the principal when there is none). }
  - { name: action, label: Action, priority: 4, description: The API action. }
  - { name: source, label: Service, description: "healthimaging or s3." }
  - { name: patient_id_hash, label: Patient, kind: patient, priority: 5, description: "The patient's pseudonymous id (HMAC of the MRN); a privacy officer opens the patient's view from it." }
  - { name: study_instance_uid, label: Study, kind: id, priority: 6, description: The study touched. }
  - { name: source_ip, label: Source address, description: Where the request came from. }
  - { name: outcome, label: Outcome, priority: 7, description: "success, or the error code." }
  - { name: request_id, label: Request ID, kind: id, description: The service request id. }
  - { name: event_id, label: Event ID, kind: id, description: CloudTrail's event id. }
limits: Weekends and public holidays are not treated differently from weekdays.
---*/
WITH studies AS (
  SELECT patient_id_hash, study_instance_uid, accession_number, image_set_id, s3_key_prefix, modality, vip
  FROM study_catalog
),
actors AS (SELECT CAST(NULL AS varchar) AS principal, true AS everyone),
{{> image-accesses}},
localized AS (
  SELECT a.*, at_timezone(from_iso8601_timestamp(a.event_time), :time_zone) AS local_ts
  FROM accesses a
)
SELECT event_time, date_format(local_ts, '%Y-%m-%d %H:%i:%s') AS local_time, principal,
       CASE WHEN principal LIKE 'arn:%:sts::%:assumed-role/%' THEN split_part(principal, '/', 3) END AS federated_user,
       action, source, patient_id_hash, study_instance_uid, source_ip, outcome, request_id, event_id
FROM localized
WHERE (hour(local_ts) < :start_hour OR hour(local_ts) >= :end_hour)
  -- one person (as the after-hours summary names them: a role session's name, else the principal), or everyone
  AND (:person = ''
       OR principal = :person
       OR (principal LIKE 'arn:%:sts::%:assumed-role/%' AND split_part(principal, '/', 3) = :person))
ORDER BY event_time, source, action, request_id, event_id
