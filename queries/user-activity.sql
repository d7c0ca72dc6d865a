/*---
id: user-activity
title: User activity
description: >-
  Everything one person or principal did in the window — every CloudTrail event they made and every
  S3 request the access log saw from them — with the patient and study for each access to images.
  For a terminated employee, a snooping complaint, or a credential that may have been misused.
roles: [privacy_officer]
tables: [cloudtrail_logs, s3_access_logs, study_catalog]
range: { from: from, to: to, maxDays: 366 }
params:
  - name: principal
    type: principal
    label: User or principal
    help: "A full IAM ARN, a role session name such as the user's e-mail, or an IAM user name."
  - { name: from, type: date, label: From, default: $range_start, help: "First day (UTC), inclusive." }
  - { name: to, type: date, label: To, default: $range_end, help: "Last day (UTC), inclusive." }
columns:
  - { name: event_time, label: Time (UTC), kind: time, priority: 1, description: "When it happened (UTC)." }
  - { name: principal, label: Principal, kind: arn, description: "The IAM principal (ARN); for a sign-in, the identity type and user name (e.g. SAMLUser:jane@example.org)." }
  - { name: service, label: Service, priority: 2, description: "The AWS service called (medical-imaging, s3, kms, sts …)." }
  - { name: action, label: Action, priority: 3, description: The API action. }
  - { name: patient_id_hash, label: Patient, kind: patient, priority: 4, description: "For an access to images: the patient's pseudonymous id (HMAC of the MRN); a privacy officer opens the patient's view from it." }
  - { name: study_instance_uid, label: Study, kind: id, priority: 5, description: "For an access to images, the study touched." }
  - { name: accession_number, label: Accession number, description: The study's accession number. }
  - { name: source_ip, label: Source address, priority: 7, description: Where the request came from. }
  - { name: user_agent, label: Client, description: The client software. }
  - { name: outcome, label: Outcome, priority: 6, description: "success, or the error code." }
  - { name: request_id, label: Request ID, kind: id, description: The service request id. }
  - { name: event_id, label: Event ID, kind: id, description: CloudTrail's event id (empty when only the access log saw the request). }
limits: >-
  A session name matches whatever the identity provider put there; two people can only be told
  apart if their session names differ. Requests through a shared service role are not attributed
  to the person behind them.
---*/
WITH studies AS (
  SELECT patient_id_hash, study_instance_uid, accession_number, image_set_id, s3_key_prefix, modality, vip
  FROM study_catalog
),
trail AS (
  SELECT eventid, eventtime, eventsource, eventname,
         coalesce(useridentity.arn, concat(useridentity.type, ':', useridentity.username)) AS principal, sourceipaddress,
         useragent, errorcode, requestid,
         row_number() OVER (PARTITION BY eventid ORDER BY eventtime) AS copy
  FROM cloudtrail_logs
  WHERE "timestamp" BETWEEN :from_partition AND :to_next_partition
    AND eventtime >= :from_iso AND eventtime < :to_next_iso
    AND (useridentity.arn = :principal
         OR split_part(useridentity.arn, '/', 3) = :principal
         OR useridentity.username = :principal)
),
-- Whose requests the access fragment keeps: every ARN the principal or person acted as in the
-- window, and the value as given (an ARN that only the access log saw).
actors AS (
  SELECT DISTINCT principal, false AS everyone FROM trail WHERE principal IS NOT NULL
  UNION
  SELECT CAST(:principal AS varchar), false
),
{{> image-accesses}},
mine AS (
  SELECT *
  FROM accesses
  WHERE principal = :principal OR split_part(principal, '/', 3) = :principal
)
SELECT t.eventtime AS event_time, t.principal, split_part(t.eventsource, '.', 1) AS service, t.eventname AS action,
       a.patient_id_hash, a.study_instance_uid, a.accession_number, t.sourceipaddress AS source_ip,
       t.useragent AS user_agent, coalesce(t.errorcode, 'success') AS outcome, t.requestid AS request_id,
       t.eventid AS event_id
FROM trail t
LEFT JOIN mine a ON a.event_id = t.eventid
WHERE t.copy = 1
UNION ALL
SELECT event_time, principal, 's3', action, patient_id_hash, study_instance_uid, accession_number, source_ip,
       user_agent, outcome, request_id, event_id
FROM mine
WHERE event_id IS NULL
ORDER BY event_time, service, action, request_id, event_id
