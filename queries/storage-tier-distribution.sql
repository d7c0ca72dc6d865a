/*---
id: storage-tier-distribution
title: Storage tiers by study age
description: >-
  Objects and bytes of the imaging archive per S3 storage class and study-age band, from the latest
  S3 Inventory report on or before the chosen day, with an estimated monthly storage cost at
  us-east-1 list prices — to check that lifecycle tiering does what the design says (30 days
  Standard-IA, 90 days Glacier, 365 days Deep Archive).
roles: [security_officer, privacy_officer, auditor, admin]
tables: [s3_inventory, study_catalog]
params:
  - { name: as_of, type: date, label: As of, default: $range_end, help: Uses the latest inventory report delivered on or before this day (UTC). }
columns:
  - { name: report, label: Inventory report, description: "The inventory report used (its dt partition, YYYY-MM-DD-HH-MM)." }
  - { name: storage_class, label: Storage class, priority: 1, description: The S3 storage class. }
  - { name: age_band, label: Study age, priority: 2, description: "The study's age at the report date: <30d, 30-90d, 90d-1y, 1-3y, 3-7y, >7y, or unknown for objects outside the catalog." }
  - { name: objects, label: Objects, kind: number, priority: 3, description: "Object versions (current and noncurrent; delete markers excluded)." }
  - { name: bytes, label: Size, kind: bytes, priority: 4, description: Their total size in bytes. }
  - { name: est_monthly_usd, label: Est. monthly cost, kind: usd, priority: 5, description: "Estimated monthly storage charge at us-east-1 list prices (storage only; no requests, retrievals or minimum-duration fees)." }
limits: >-
  An inventory report is an eventually consistent snapshot; objects written or deleted shortly
  before it may be missing. Prices are list prices and differ by Region and agreement.
---*/
WITH latest AS (
  SELECT max(dt) AS dt FROM s3_inventory WHERE dt <= :as_of_dt_end
),
objects AS (
  SELECT i.dt, i.key, i.size, i.storage_class, CAST(substr(i.dt, 1, 10) AS date) AS report_date
  FROM s3_inventory i
  JOIN latest l ON i.dt = l.dt
  WHERE NOT coalesce(i.is_delete_marker, false)
),
aged AS (
  SELECT o.dt, o.size, o.storage_class, date_diff('day', c.study_date, o.report_date) AS age_days
  FROM objects o
  LEFT JOIN study_catalog c ON regexp_extract(o.key, '^[^/]+/[^/]+/') = c.s3_key_prefix
)
SELECT dt AS report, storage_class,
       CASE WHEN age_days IS NULL THEN 'unknown'
            WHEN age_days < 30 THEN '<30d'
            WHEN age_days < 90 THEN '30-90d'
            WHEN age_days < 365 THEN '90d-1y'
            WHEN age_days < 1095 THEN '1-3y'
            WHEN age_days < 2555 THEN '3-7y'
            ELSE '>7y' END AS age_band,
       count(*) AS objects,
       sum(size) AS bytes,
       round(sum(size) / 1073741824.0 *
             CASE storage_class WHEN 'STANDARD' THEN 0.023 WHEN 'STANDARD_IA' THEN 0.0125 WHEN 'ONEZONE_IA' THEN 0.01
                                WHEN 'INTELLIGENT_TIERING' THEN 0.023 WHEN 'GLACIER_IR' THEN 0.004
                                WHEN 'GLACIER' THEN 0.0036 WHEN 'DEEP_ARCHIVE' THEN 0.00099 ELSE 0.023 END, 2) AS est_monthly_usd
FROM aged
GROUP BY dt, storage_class,
         CASE WHEN age_days IS NULL THEN 'unknown'
              WHEN age_days < 30 THEN '<30d'
              WHEN age_days < 90 THEN '30-90d'
              WHEN age_days < 365 THEN '90d-1y'
              WHEN age_days < 1095 THEN '1-3y'
              WHEN age_days < 2555 THEN '3-7y'
              ELSE '>7y' END
ORDER BY storage_class, age_band
