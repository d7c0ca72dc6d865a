/*---
id: retention-due
title: Studies past retention
description: >-
  Studies whose legal retention has ended on the chosen day and that are not on legal hold (neither
  in the catalog nor as an S3 Object Lock legal hold on any of their objects). Adults: a number of
  years after the study. Children: the later of that and the age of majority plus the statute of
  limitations. The candidates for an end-of-retention deletion request. Approvers run it too, so it
  names studies, never patients.
roles: [privacy_officer, approver]
tables: [study_catalog, s3_inventory]
params:
  - { name: as_of, type: date, label: As of, default: $range_end, help: The day (UTC) retention is evaluated on. }
  - { name: adult_years, type: integer, label: Years kept after the study (adults), default: 7, min: 1, max: 100 }
  - { name: majority_age, type: integer, label: Age of majority, default: 18, min: 1, max: 30 }
  - { name: minor_years, type: integer, label: Years kept after majority (children), default: 3, min: 0, max: 30 }
columns:
  - { name: study_instance_uid, description: The study. }
  - { name: accession_number, description: The study's accession number. }
  - { name: retention_class, description: "adult or pediatric (the patient was under the age of majority at the study)." }
  - { name: study_date, description: The study date. }
  - { name: retain_until, description: "The day retention ends, by the rule above." }
  - { name: days_past, description: Days between that day and the as-of day. }
  - { name: objects, description: "Object versions the archive holds for the study (latest inventory report)." }
  - { name: bytes, description: Their total size in bytes. }
  - { name: object_lock_until, description: "The latest S3 Object Lock retain-until date among them: no version can be deleted before it." }
limits: >-
  Reads the study catalog and the latest inventory report as they are; a hold placed after that
  report is re-checked when a deletion request is executed, never trusted from this list.
---*/
WITH latest AS (
  SELECT max(dt) AS dt FROM s3_inventory WHERE dt <= :as_of_dt_end
),
objects AS (
  SELECT regexp_extract(i.key, '^[^/]+/[^/]+/') AS prefix, count(*) AS objects, sum(i.size) AS bytes,
         max(i.object_lock_retain_until_date) AS lock_until,
         count_if(i.object_lock_legal_hold_status = 'ON') AS held
  FROM s3_inventory i
  JOIN latest l ON i.dt = l.dt
  WHERE NOT coalesce(i.is_delete_marker, false)
  GROUP BY regexp_extract(i.key, '^[^/]+/[^/]+/')
),
rules AS (
  SELECT c.*,
         CASE WHEN c.retention_class = 'pediatric'
              THEN greatest(date_add('year', :adult_years, c.study_date),
                            date_add('year', :majority_age + :minor_years, c.patient_birth_date))
              ELSE date_add('year', :adult_years, c.study_date) END AS retain_until
  FROM study_catalog c
)
SELECT r.study_instance_uid, r.accession_number, r.retention_class, r.study_date,
       r.retain_until, date_diff('day', r.retain_until, :as_of) AS days_past,
       coalesce(o.objects, 0) AS objects, coalesce(o.bytes, 0) AS bytes,
       CAST(o.lock_until AS date) AS object_lock_until
FROM rules r
LEFT JOIN objects o ON o.prefix = r.s3_key_prefix
WHERE r.retain_until < :as_of
  AND NOT coalesce(r.legal_hold, false)
  AND coalesce(o.held, 0) = 0
ORDER BY r.retain_until, r.study_instance_uid
