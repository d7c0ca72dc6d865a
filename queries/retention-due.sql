/*---
id: retention-due
title: Studies past retention
description: >-
  Studies whose legal retention has ended on the chosen day and that are not on legal hold (neither
  in the catalog nor as an S3 Object Lock legal hold on any of their objects), by the health
  system's default rule set: every study a number of years after the study date (mammography
  longer); a minor's (under the age of majority at the study) until the later of that and the
  patient's 21st birthday plus the statute of limitations (the 24th birthday by default). A minor's
  study without a birth date is never listed: its retention cannot be computed. The candidates for
  an end-of-retention deletion request. Approvers run it too, so it names studies, never patients.
roles: [privacy_officer, approver]
tables: [study_catalog, s3_inventory]
params:
  - { name: as_of, type: date, label: As of, default: $range_end, help: The day (UTC) retention is evaluated on. }
  - { name: adult_years, type: integer, label: Years kept after the study, default: 7, min: 1, max: 100 }
  - { name: mammography_years, type: integer, label: Years kept after a mammography study, default: 10, min: 1, max: 100 }
  - { name: majority_age, type: integer, label: Age of majority, default: 18, min: 1, max: 30, help: Under this age on the study date the patient was a minor. }
  - { name: pediatric_age, type: integer, label: "Minors: kept until this birthday", default: 21, min: 1, max: 100 }
  - { name: minor_years, type: integer, label: "Minors: statute of limitations (years after that birthday)", default: 3, min: 0, max: 30 }
columns:
  - { name: study_instance_uid, label: Study, kind: id, description: The study. }
  - { name: accession_number, label: Accession number, description: The study's accession number. }
  - { name: retention_class, label: Retention class, description: "adult or pediatric, as the catalog records it (a study is treated as a minor's when the catalog says pediatric or the patient was under the age of majority at the study)." }
  - { name: study_date, label: Study date, kind: date, description: The study date. }
  - { name: retain_until, label: Retain until, kind: date, description: "The day retention ends, by the rule above." }
  - { name: days_past, label: Days past, kind: number, description: Days between that day and the as-of day. }
  - { name: objects, label: Objects, kind: number, description: "Object versions the archive holds for the study (latest inventory report)." }
  - { name: bytes, label: Size, kind: bytes, description: Their total size in bytes. }
  - { name: object_lock_until, label: Object Lock until, kind: date, description: "The latest S3 Object Lock retain-until date among them: no version can be deleted before it." }
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
classified AS (
  SELECT c.*,
         CASE WHEN c.retention_class = 'pediatric' THEN true
              WHEN c.patient_birth_date IS NOT NULL THEN c.study_date < date_add('year', :majority_age, c.patient_birth_date)
              WHEN c.retention_class = 'adult' THEN false END AS minor,
         CASE WHEN regexp_like(upper(c.modality), '(^|[^A-Z])MG([^A-Z]|$)')
              THEN greatest(date_add('year', :mammography_years, c.study_date), date_add('year', :adult_years, c.study_date))
              ELSE date_add('year', :adult_years, c.study_date) END AS by_study
  FROM study_catalog c
),
rules AS (
  SELECT k.*,
         CASE WHEN k.minor IS NULL OR (k.minor AND k.patient_birth_date IS NULL) THEN NULL
              WHEN k.minor THEN greatest(k.by_study, date_add('year', :pediatric_age + :minor_years, k.patient_birth_date))
              ELSE k.by_study END AS retain_until
  FROM classified k
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
