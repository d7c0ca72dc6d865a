/*---
id: study-access
title: Study access history
description: >-
  Everyone who touched one study in the window, found by its Study Instance UID or its accession
  number: HealthImaging requests on its image set and S3 requests on its objects, one row per
  request, with the logs that saw each.
roles: [privacy_officer]
tables: [cloudtrail_logs, s3_access_logs, study_catalog]
range: { from: from, to: to }
params:
  - name: study
    type: study
    label: Study UID or accession number
    help: A DICOM Study Instance UID (digits and dots) or the study's accession number.
  - { name: from, type: date, label: From, default: $range_start, help: "First day (UTC), inclusive." }
  - { name: to, type: date, label: To, default: $range_end, help: "Last day (UTC), inclusive." }
columns:
  - { name: event_time, label: Time (UTC), kind: time, priority: 1, description: "When the request happened (UTC)." }
  - { name: principal, label: Principal, kind: arn, description: The IAM principal (ARN) that made the request. }
  - { name: federated_user, label: Person, priority: 2, fallback: principal, description: The person behind a role session (the session name; the principal when there is none). }
  - { name: role, label: Role, description: The IAM role the person was acting through. }
  - { name: action, label: Action, priority: 3, description: The API action. }
  - { name: source, label: Service, description: "healthimaging or s3." }
  - { name: study_instance_uid, label: Study, kind: id, description: The study's DICOM Study Instance UID. }
  - { name: accession_number, label: Accession number, description: The study's accession number. }
  - { name: source_ip, label: Source address, priority: 5, description: Where the request came from. }
  - { name: user_agent, label: Client, description: The client software that made the request. }
  - { name: outcome, label: Outcome, priority: 4, description: "success, or the error code." }
  - { name: sources, label: Seen in, description: "Which logs saw the request: cloudtrail, kms, s3_access_log." }
  - { name: request_id, label: Request ID, kind: id, description: The service request id. }
  - { name: event_id, label: Event ID, kind: id, description: CloudTrail's event id (empty when only the access log saw the request). }
limits: >-
  A study found under both an accession number and a UID is reported once per request. Pixel
  reads appear only if the trail logs HealthImaging data events.
---*/
WITH studies AS (
  SELECT patient_id_hash, study_instance_uid, accession_number, image_set_id, s3_key_prefix, modality, vip
  FROM study_catalog
  WHERE study_instance_uid = :study OR accession_number = :study
),
actors AS (SELECT CAST(NULL AS varchar) AS principal, true AS everyone),
{{> image-accesses}}
SELECT event_time,
       principal,
       CASE WHEN principal LIKE 'arn:%:sts::%:assumed-role/%' THEN split_part(principal, '/', 3) END AS federated_user,
       CASE WHEN principal LIKE 'arn:%:sts::%:assumed-role/%' THEN split_part(principal, '/', 2) END AS role,
       action, source, study_instance_uid, accession_number, source_ip, user_agent, outcome, sources, request_id, event_id
FROM accesses
ORDER BY event_time, source, action, request_id, event_id
