/*---
id: vip-access
title: VIP patient access
description: >-
  Every access to the images of patients flagged VIP in the study catalog, with who made it — the
  starting point for "someone outside the care team looked at a public figure's images".
roles: [privacy_officer]
tables: [cloudtrail_logs, s3_access_logs, study_catalog]
range: { from: from, to: to }
params:
  - { name: from, type: date, label: From, default: $range_start, help: "First day (UTC), inclusive." }
  - { name: to, type: date, label: To, default: $range_end, help: "Last day (UTC), inclusive." }
columns:
  - { name: event_time, label: Time (UTC), kind: time, priority: 1, description: "When the request happened (UTC)." }
  - { name: patient_id_hash, label: Patient, kind: patient, priority: 2, description: "The patient's pseudonymous id (HMAC of the MRN); a privacy officer opens the patient's view from it." }
  - { name: principal, label: Principal, kind: arn, description: The IAM principal (ARN) that made the request. }
  - { name: federated_user, label: Person, priority: 3, fallback: principal, description: The person behind a role session (the principal when there is none). }
  - { name: role, label: Role, description: The IAM role used. }
  - { name: action, label: Action, priority: 4, description: The API action. }
  - { name: source, label: Service, description: "healthimaging or s3." }
  - { name: study_instance_uid, label: Study, kind: id, priority: 5, description: The study touched. }
  - { name: accession_number, label: Accession number, description: The study's accession number. }
  - { name: source_ip, label: Source address, priority: 7, description: Where the request came from. }
  - { name: outcome, label: Outcome, priority: 6, description: "success, or the error code." }
  - { name: sources, label: Seen in, description: Which logs saw the request. }
  - { name: request_id, label: Request ID, kind: id, description: The service request id. }
  - { name: event_id, label: Event ID, kind: id, description: CloudTrail's event id. }
limits: >-
  The catalog's VIP flag is taken as it is now, not as it was at the time of each access. Whether a
  reader belonged to the patient's care team is a judgement the logs cannot make.
---*/
WITH studies AS (
  SELECT patient_id_hash, study_instance_uid, accession_number, image_set_id, s3_key_prefix, modality, vip
  FROM study_catalog
  WHERE vip
),
actors AS (SELECT CAST(NULL AS varchar) AS principal, true AS everyone),
{{> image-accesses}}
SELECT event_time, patient_id_hash, principal,
       CASE WHEN principal LIKE 'arn:%:sts::%:assumed-role/%' THEN split_part(principal, '/', 3) END AS federated_user,
       CASE WHEN principal LIKE 'arn:%:sts::%:assumed-role/%' THEN split_part(principal, '/', 2) END AS role,
       action, source, study_instance_uid, accession_number, source_ip, outcome, sources, request_id, event_id
FROM accesses
ORDER BY event_time, source, action, request_id, event_id
