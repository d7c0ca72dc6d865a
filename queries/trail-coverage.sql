/*---
id: trail-coverage
title: CloudTrail coverage gaps
description: >-
  Hours of the window in which a Region delivered no CloudTrail events at all — logging stopped, a
  delivery failure, or files removed. A report that relies on those hours cannot prove what happened
  in them; the S3 server access log may still cover S3 reads.
roles: [security_officer, privacy_officer, auditor]
tables: [cloudtrail_logs]
range: { from: from, to: to }
params:
  - { name: from, type: date, label: From, default: $range_start, help: "First day (UTC), inclusive." }
  - { name: to, type: date, label: To, default: $range_end, help: "Last day (UTC), inclusive." }
columns:
  - { name: region, label: Region, description: The Region (CloudTrail delivery folder). }
  - { name: gap_start, label: Gap start (UTC), kind: time, description: "First hour without events (UTC)." }
  - { name: gap_end, label: Gap end (UTC), kind: time, description: "End of the gap (UTC, exclusive)." }
  - { name: hours, label: Hours, kind: number, description: Length of the gap in hours. }
limits: >-
  Regions that delivered nothing during the whole window do not appear. An hour counts as covered
  when at least one event of it arrived; it does not prove every event did (see log integrity).
---*/
WITH hours AS (
  SELECT h
  FROM UNNEST(sequence(CAST(:from_ts AS timestamp), CAST(:to_next_ts AS timestamp) - INTERVAL '1' HOUR, INTERVAL '1' HOUR)) AS t (h)
),
-- Hours with records, per region: grouped on eventTime's text hour (YYYY-MM-DDTHH) so that only
-- the distinct hours, not every record, are parsed as timestamps.
seen AS (
  SELECT region, CAST(from_iso8601_timestamp(concat(hour_text, ':00:00Z')) AS timestamp) AS h, events
  FROM (
    SELECT region, substr(eventtime, 1, 13) AS hour_text, count(*) AS events
    FROM cloudtrail_logs
    WHERE "timestamp" BETWEEN :from_partition AND :to_next_partition
      AND eventtime >= :from_iso AND eventtime < :to_next_iso
    GROUP BY region, substr(eventtime, 1, 13)
  ) t
),
regions AS (
  SELECT DISTINCT region FROM seen
),
empty AS (
  SELECT r.region, hours.h
  FROM regions r
  CROSS JOIN hours
  LEFT JOIN seen s ON s.region = r.region AND s.h = hours.h
  WHERE s.events IS NULL
),
islands AS (
  SELECT region, h, date_diff('hour', CAST(:from_ts AS timestamp), h) - row_number() OVER (PARTITION BY region ORDER BY h) AS island
  FROM empty
)
SELECT region, date_format(min(h), '%Y-%m-%dT%H:00:00Z') AS gap_start,
       date_format(max(h) + INTERVAL '1' HOUR, '%Y-%m-%dT%H:00:00Z') AS gap_end, count(*) AS hours
FROM islands
GROUP BY region, island
ORDER BY region, gap_start
