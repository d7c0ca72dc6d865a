/*---
id: patient-access-history
title: Patient access history
description: >-
  Everyone who touched a patient's images in the window: HealthImaging requests on the patient's
  image sets (native API and DICOMweb), and S3 requests on the patient's study objects, whether
  CloudTrail data events, the bucket's server access log or both saw them (one row per request),
  with the KMS Decrypt that S3 made for it. Joined to the study catalog by the patient's hashed MRN.
roles: [privacy_officer]
tables: [cloudtrail_logs, s3_access_logs, study_catalog]
range: { from: from, to: to }
params:
  - name: patient
    type: mrn
    label: Patient MRN
    help: Hashed with the catalog key before it reaches the query engine; never stored in clear.
  - { name: from, type: date, label: From, default: $range_start, help: "First day (UTC), inclusive." }
  - { name: to, type: date, label: To, default: $range_end, help: "Last day (UTC), inclusive." }
columns:
  - { name: event_time, label: Time (UTC), kind: time, priority: 1, description: "When the request happened (UTC): CloudTrail's eventTime, or the access log's time when only the log saw it." }
  - { name: principal, label: Principal, kind: arn, description: The IAM principal (ARN) that made the request. }
  - { name: federated_user, label: Person, priority: 2, fallback: principal, description: "The person behind a role session: the session name, e.g. the federated user's e-mail (the principal when there is none)." }
  - { name: role, label: Role, description: The IAM role the person was acting through. }
  - { name: action, label: Action, priority: 3, description: "The API action, e.g. GetImageSetMetadata, GetImageFrame, GetObject." }
  - { name: source, label: Service, description: "healthimaging or s3." }
  - { name: study_instance_uid, label: Study, kind: id, priority: 4, description: The DICOM Study Instance UID touched. }
  - { name: accession_number, label: Accession number, description: The study's accession number. }
  - { name: modality, label: Modality, description: The study's modality. }
  - { name: source_ip, label: Source address, priority: 6, description: "Where the request came from (an address, or an AWS service name when a service acted for the principal)." }
  - { name: user_agent, label: Client, description: The client software that made the request. }
  - { name: outcome, label: Outcome, priority: 5, description: "success, or the error code (AccessDenied …)." }
  - { name: sources, label: Seen in, description: "Which logs saw the request: cloudtrail, kms, s3_access_log." }
  - { name: request_id, label: Request ID, kind: id, description: The service request id (S3 request id joins CloudTrail to the access log). }
  - { name: event_id, label: Event ID, kind: id, description: "CloudTrail's event id (empty when only the access log saw the request)." }
limits: >-
  Covers the accounts and regions whose logs are in the lake, for the hours they were delivered
  (see trail coverage). HealthImaging pixel reads (GetImageFrame, DICOMweb) appear only if the
  trail logs HealthImaging data events. Reads through a viewer's service role show that role, not
  the person, unless the viewer passes the user as the session name.
---*/
WITH studies AS (
  SELECT patient_id_hash, study_instance_uid, accession_number, image_set_id, s3_key_prefix, modality, vip
  FROM study_catalog
  WHERE patient_id_hash = :patient
),
actors AS (SELECT CAST(NULL AS varchar) AS principal, true AS everyone),
{{> image-accesses}}
SELECT event_time,
       principal,
       CASE WHEN principal LIKE 'arn:%:sts::%:assumed-role/%' THEN split_part(principal, '/', 3) END AS federated_user,
       CASE WHEN principal LIKE 'arn:%:sts::%:assumed-role/%' THEN split_part(principal, '/', 2) END AS role,
       action, source, study_instance_uid, accession_number, modality, source_ip, user_agent, outcome, sources,
       request_id, event_id
FROM accesses
ORDER BY event_time, source, action, request_id, event_id
