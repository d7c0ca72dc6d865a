/*---
id: bulk-access
title: Bulk access
description: >-
  Principals that touched more distinct studies in one clock hour than a threshold — the signature
  of a bulk export, a scraping script or a compromised credential.
roles: [privacy_officer, security_officer]
tables: [cloudtrail_logs, s3_access_logs, study_catalog]
range: { from: from, to: to }
params:
  - { name: from, type: date, label: From, default: $range_start, help: "First day (UTC), inclusive." }
  - { name: to, type: date, label: To, default: $range_end, help: "Last day (UTC), inclusive." }
  - { name: threshold, type: integer, label: Distinct studies per hour above, default: 50, min: 1, max: 100000, help: A principal is listed for each hour in which it touched more studies than this. }
columns:
  - { name: hour, label: Hour (UTC), kind: time, priority: 1, description: "The clock hour (UTC)." }
  - { name: principal, label: Principal, kind: arn, description: The IAM principal (ARN). }
  - { name: federated_user, label: Person, priority: 2, fallback: principal, description: The person behind a role session (the principal when there is none). }
  - { name: distinct_studies, label: Distinct studies, kind: number, priority: 3, description: Distinct studies touched in that hour. }
  - { name: accesses, label: Requests, kind: number, priority: 4, description: Requests in that hour. }
  - { name: denied, label: Refused, kind: number, priority: 5, description: Requests in that hour that were refused. }
  - { name: first_access, label: First (UTC), kind: time, description: "The hour's first request (UTC)." }
  - { name: last_access, label: Last (UTC), kind: time, description: "The hour's last request (UTC)." }
limits: An export spread thinly over many hours stays under an hourly threshold; lower it, or use user activity.
---*/
WITH studies AS (
  SELECT patient_id_hash, study_instance_uid, accession_number, image_set_id, s3_key_prefix, modality, vip
  FROM study_catalog
),
actors AS (SELECT CAST(NULL AS varchar) AS principal, true AS everyone),
{{> image-accesses}},
-- Hours are grouped on event_time's text (YYYY-MM-DDTHH, UTC ISO 8601 from either log), which
-- spares a timestamp parse per access.
hourly AS (
  SELECT principal, substr(event_time, 1, 13) AS hour_text,
         count(DISTINCT study_instance_uid) AS distinct_studies, count(*) AS accesses,
         count_if(outcome <> 'success') AS denied, min(event_time) AS first_access, max(event_time) AS last_access
  FROM accesses
  GROUP BY principal, substr(event_time, 1, 13)
)
SELECT concat(hour_text, ':00:00Z') AS hour, principal,
       CASE WHEN principal LIKE 'arn:%:sts::%:assumed-role/%' THEN split_part(principal, '/', 3) END AS federated_user,
       distinct_studies, accesses, denied, first_access, last_access
FROM hourly
WHERE distinct_studies > :threshold
ORDER BY hour, distinct_studies DESC, principal
