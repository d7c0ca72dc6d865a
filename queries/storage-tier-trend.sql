/*---
id: storage-tier-trend
title: Storage tiers over time
description: >-
  Objects and bytes of the imaging archive per S3 storage class in the inventory reports of the
  window: the latest report of each month, or every report. Shows whether lifecycle tiering keeps
  moving data to cheaper classes as the archive grows.
roles: [security_officer, privacy_officer, auditor, admin]
tables: [s3_inventory]
range: { from: from, to: to }
params:
  - { name: from, type: date, label: From, default: $range_start, help: "First day (UTC), inclusive: reports delivered on or after it." }
  - { name: to, type: date, label: To, default: $range_end, help: "Last day (UTC), inclusive." }
  - { name: granularity, type: enum, label: Points, options: [month, report], default: month, help: "month: the latest report of each month; report: every report (S3 writes one a day or a week)." }
columns:
  - { name: period, label: Period, priority: 1, description: "The month (YYYY-MM), or the report's day (YYYY-MM-DD)." }
  - { name: report, label: Inventory report, description: "The inventory report used (its dt partition, YYYY-MM-DD-HH-MM)." }
  - { name: storage_class, label: Storage class, priority: 2, description: The S3 storage class. }
  - { name: objects, label: Objects, kind: number, priority: 3, description: "Object versions (current and noncurrent; delete markers excluded)." }
  - { name: bytes, label: Size, kind: bytes, priority: 4, description: Their total size in bytes. }
limits: An inventory report is an eventually consistent snapshot; a month without a report has no point.
---*/
-- One pass over the inventory: every report of the window counted per storage class (delete
-- markers apart), then the latest report of each period picked from those counts.
WITH per_report AS (
  SELECT dt, storage_class,
         count(CASE WHEN NOT coalesce(is_delete_marker, false) THEN 1 END) AS objects,
         sum(CASE WHEN NOT coalesce(is_delete_marker, false) THEN size END) AS bytes
  FROM s3_inventory
  WHERE CAST(substr(dt, 1, 10) AS date) BETWEEN :from AND :to
  GROUP BY dt, storage_class
),
report_days AS (
  SELECT DISTINCT dt, CASE WHEN :granularity = 'month' THEN substr(dt, 1, 7) ELSE substr(dt, 1, 10) END AS period
  FROM per_report
),
reports AS (
  SELECT period, max(dt) AS dt FROM report_days GROUP BY period
)
SELECT r.period, r.dt AS report, p.storage_class, p.objects, p.bytes
FROM per_report p
JOIN reports r ON p.dt = r.dt
WHERE p.objects > 0
ORDER BY r.period, p.storage_class
