/*---
id: storage-object-ages
title: Object ages by storage class
description: >-
  Objects and bytes of the imaging archive per storage class, top-level folder, current or
  noncurrent version, and age in days since written, from the latest S3 Inventory report on or
  before the chosen day: what a projection of the bucket's lifecycle rules starts from.
roles: [security_officer, privacy_officer, auditor, admin]
tables: [s3_inventory]
params:
  - { name: as_of, type: date, label: As of, default: $range_end, help: "Uses the latest inventory report delivered on or before this day (UTC)." }
columns:
  - { name: report, label: Inventory report, description: "The inventory report used (its dt partition, YYYY-MM-DD-HH-MM)." }
  - { name: storage_class, label: Storage class, priority: 1, description: The S3 storage class. }
  - { name: prefix, label: Folder, priority: 2, description: "The object's top-level folder (the key up to its first /), which lifecycle rule prefixes match." }
  - { name: is_latest, label: Current version, kind: boolean, priority: 3, description: "true for the current version, false for a noncurrent one." }
  - { name: age_days, label: Age (days), kind: number, priority: 4, description: Whole days from the version's last-modified day to the report day. }
  - { name: objects, label: Objects, kind: number, priority: 5, description: Object versions (delete markers excluded). }
  - { name: bytes, label: Size, kind: bytes, priority: 6, description: Their total size in bytes. }
limits: An inventory report is an eventually consistent snapshot; it does not say when a version became noncurrent.
---*/
WITH latest AS (
  SELECT max(dt) AS dt FROM s3_inventory WHERE dt <= :as_of_dt_end
)
SELECT i.dt AS report, i.storage_class, regexp_extract(i.key, '^[^/]*/') AS prefix, coalesce(i.is_latest, true) AS is_latest,
       date_diff('day', CAST(i.last_modified_date AS date), CAST(substr(i.dt, 1, 10) AS date)) AS age_days,
       count(*) AS objects, sum(i.size) AS bytes
FROM s3_inventory i
JOIN latest l ON i.dt = l.dt
WHERE NOT coalesce(i.is_delete_marker, false)
GROUP BY i.dt, i.storage_class, regexp_extract(i.key, '^[^/]*/'), coalesce(i.is_latest, true),
         date_diff('day', CAST(i.last_modified_date AS date), CAST(substr(i.dt, 1, 10) AS date))
ORDER BY i.storage_class, prefix, is_latest DESC, age_days
