/*---
id: storage-posture
title: Storage posture by class, study age and retention class
description: >-
  Objects and bytes of the imaging archive in the latest S3 Inventory report on or before the
  chosen day, per storage class, study-age band (completed calendar years: under 1, 1 to 3, 3 to
  7, 7 or more), the catalog's retention class and whether they are on hold, with what S3 Object
  Lock protects and what is past retention and awaiting disposition. Aggregates only: the
  storage-tier dashboard's snapshot.
roles: [security_officer, privacy_officer, auditor, admin]
tables: [s3_inventory, study_catalog]
params:
  - { name: as_of, type: date, label: As of, default: $range_end, help: "Uses the latest inventory report delivered on or before this day (UTC); retention is evaluated on this day." }
  - { name: adult_years, type: integer, label: Years kept after the study, default: 7, min: 1, max: 100 }
  - { name: mammography_years, type: integer, label: Years kept after a mammography study, default: 10, min: 1, max: 100 }
  - { name: majority_age, type: integer, label: Age of majority, default: 18, min: 1, max: 30, help: Under this age on the study date the patient was a minor. }
  - { name: pediatric_age, type: integer, label: "Minors: kept until this birthday", default: 21, min: 1, max: 100 }
  - { name: minor_years, type: integer, label: "Minors: statute of limitations (years after that birthday)", default: 3, min: 0, max: 30 }
columns:
  - { name: report, label: Inventory report, description: "The inventory report used (its dt partition, YYYY-MM-DD-HH-MM)." }
  - { name: storage_class, label: Storage class, priority: 1, description: The S3 storage class. }
  - { name: age_band, label: Study age, priority: 2, description: "Completed calendar years from the study date to the report date: 0-1, 1-3, 3-7, 7+, or unknown for objects outside the catalog." }
  - { name: retention_class, label: Retention class, priority: 3, description: "The catalog's retention class of the study (adult, pediatric …), or unknown for objects outside the catalog." }
  - { name: on_hold, label: On hold, kind: boolean, priority: 4, description: "On legal hold: in the catalog, or as an S3 Object Lock legal hold on the object." }
  - { name: objects, label: Objects, kind: number, priority: 5, description: "Object versions (current and noncurrent; delete markers excluded)." }
  - { name: bytes, label: Size, kind: bytes, priority: 6, description: Their total size in bytes. }
  - { name: locked_objects, label: Locked objects, kind: number, description: "Object versions S3 Object Lock protects on the report date (a retain-until date after it, or a legal hold)." }
  - { name: locked_bytes, label: Locked size, kind: bytes, description: Their total size in bytes. }
  - { name: past_retention_objects, label: Past retention, kind: number, description: "Object versions of studies whose retention ended before the as-of day and that are not on hold (as Studies past retention counts them): awaiting disposition." }
  - { name: past_retention_bytes, label: Past retention size, kind: bytes, description: Their total size in bytes. }
limits: >-
  An inventory report is an eventually consistent snapshot; objects written or deleted shortly
  before it may be missing. Retention is computed as Studies past retention computes it (the rules above); holds
  placed after the report are not seen. A minor's study without a birth date is never counted as
  past retention: its retention cannot be computed.
---*/
WITH latest AS (
  SELECT max(dt) AS dt FROM s3_inventory WHERE dt <= :as_of_dt_end
),
objects AS (
  SELECT i.dt, i.size, i.storage_class, CAST(substr(i.dt, 1, 10) AS date) AS report_date,
         regexp_extract(i.key, '^[^/]+/[^/]+/') AS prefix,
         i.object_lock_retain_until_date AS lock_until,
         coalesce(i.object_lock_legal_hold_status = 'ON', false) AS legal_hold
  FROM s3_inventory i
  JOIN latest l ON i.dt = l.dt
  WHERE NOT coalesce(i.is_delete_marker, false)
),
-- A study with any object on legal hold is held as a whole, as Studies past retention decides.
held_prefixes AS (
  SELECT prefix FROM objects GROUP BY prefix HAVING count_if(legal_hold) > 0
),
-- Retention exactly as Studies past retention (retention-due) computes it, with the same parameters.
rated AS (
  SELECT c.s3_key_prefix, c.study_date, c.retention_class, c.patient_birth_date, coalesce(c.legal_hold, false) AS legal_hold,
         CASE WHEN c.retention_class = 'pediatric' THEN true
              WHEN c.patient_birth_date IS NOT NULL THEN c.study_date < date_add('year', :majority_age, c.patient_birth_date)
              WHEN c.retention_class = 'adult' THEN false END AS minor,
         CASE WHEN regexp_like(upper(c.modality), '(^|[^A-Z])MG([^A-Z]|$)')
              THEN greatest(date_add('year', :mammography_years, c.study_date), date_add('year', :adult_years, c.study_date))
              ELSE date_add('year', :adult_years, c.study_date) END AS by_study
  FROM study_catalog c
),
studies AS (
  SELECT s3_key_prefix, study_date, retention_class, legal_hold,
         CASE WHEN minor IS NULL OR (minor AND patient_birth_date IS NULL) THEN NULL
              WHEN minor THEN greatest(by_study, date_add('year', :pediatric_age + :minor_years, patient_birth_date))
              ELSE by_study END AS retain_until
  FROM rated
),
classified AS (
  SELECT o.dt, o.storage_class, o.size,
         date_diff('year', s.study_date, o.report_date) AS age_years,
         coalesce(s.retention_class, 'unknown') AS retention_class,
         (coalesce(s.legal_hold, false) OR o.legal_hold) AS on_hold,
         (o.legal_hold OR coalesce(o.lock_until > CAST(o.report_date AS timestamp), false)) AS locked,
         (s.retain_until < :as_of AND NOT s.legal_hold AND h.prefix IS NULL) AS past_retention
  FROM objects o
  LEFT JOIN studies s ON o.prefix = s.s3_key_prefix
  LEFT JOIN held_prefixes h ON h.prefix = o.prefix
),
banded AS (
  SELECT dt, storage_class, size, retention_class, on_hold, locked, coalesce(past_retention, false) AS past_retention,
         CASE WHEN age_years IS NULL THEN 'unknown'
              WHEN age_years < 1 THEN '0-1'
              WHEN age_years < 3 THEN '1-3'
              WHEN age_years < 7 THEN '3-7'
              ELSE '7+' END AS age_band
  FROM classified
)
SELECT dt AS report, storage_class, age_band, retention_class, on_hold,
       count(*) AS objects, sum(size) AS bytes,
       count_if(locked) AS locked_objects, coalesce(sum(CASE WHEN locked THEN size END), 0) AS locked_bytes,
       count_if(past_retention) AS past_retention_objects, coalesce(sum(CASE WHEN past_retention THEN size END), 0) AS past_retention_bytes
FROM banded
GROUP BY dt, storage_class, age_band, retention_class, on_hold
ORDER BY storage_class, age_band, retention_class, on_hold
