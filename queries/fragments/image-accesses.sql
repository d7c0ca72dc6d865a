-- One row per access to an image set or a study object, for the studies in the including query's
-- `studies` CTE (columns: patient_id_hash, study_instance_uid, accession_number, image_set_id,
-- s3_key_prefix, modality, vip) by the principals in its `actors` CTE (columns principal: an ARN or
-- access-log requester, and everyone: true in a row that stands for every principal), in the
-- window [:from, :to].
--
-- The days the access index holds (:from_day to :to_indexed) are read from it; the rest of the
-- window (from :from_raw_iso on, the latest hours) is computed from the raw logs by access-rows,
-- which is also what builds the index, so both parts answer alike. Either part may be empty.
study_scope AS (SELECT false AS every_study),
{{> access-rows}},
-- Each source is read by a filter of its own (a conjunction on one column), which lets an engine
-- skip the row groups whose image-set or study-prefix statistics exclude the studies asked about.
indexed_accesses AS (
  SELECT event_time, principal, action, source, image_set_id, study_prefix, source_ip, user_agent, outcome,
         sources, request_id, event_id
  FROM access_index
  WHERE day BETWEEN :from_day AND :to_indexed
    AND source = 'healthimaging' AND image_set_id IN (SELECT image_set_id FROM studies)
  UNION ALL
  SELECT event_time, principal, action, source, image_set_id, study_prefix, source_ip, user_agent, outcome,
         sources, request_id, event_id
  FROM access_index
  WHERE day BETWEEN :from_day AND :to_indexed
    AND source = 's3' AND study_prefix IN (SELECT s3_key_prefix FROM studies)
),
indexed_by_actors AS (
  SELECT * FROM indexed_accesses
  WHERE principal IN (SELECT principal FROM actors)
     OR split_part(principal, '/', 3) IN (SELECT principal FROM actors)
     OR true IN (SELECT everyone FROM actors)
),
any_accesses AS (
  SELECT * FROM indexed_by_actors
  UNION ALL
  SELECT event_time, principal, action, source, image_set_id, study_prefix, source_ip, user_agent, outcome,
         sources, request_id, event_id
  FROM raw_accesses
),
-- A study is found by its image set for a HealthImaging access and by its prefix for an S3 one:
-- one join on (source, key) reads the accesses once (two joins would read them twice).
study_keys AS (
  SELECT 'healthimaging' AS source, image_set_id AS study_key, patient_id_hash, study_instance_uid, accession_number,
         modality, vip
  FROM studies
  WHERE image_set_id IS NOT NULL
  UNION ALL
  SELECT 's3', s3_key_prefix, patient_id_hash, study_instance_uid, accession_number, modality, vip
  FROM studies
  WHERE s3_key_prefix IS NOT NULL
),
accesses AS (
  SELECT a.event_time, a.principal, a.action, a.source, s.patient_id_hash, s.study_instance_uid, s.accession_number,
         s.modality, s.vip, a.source_ip, a.user_agent, a.outcome, a.sources, a.request_id, a.event_id
  FROM any_accesses a
  JOIN study_keys s
    ON s.source = a.source
   AND s.study_key = CASE WHEN a.source = 'healthimaging' THEN a.image_set_id ELSE a.study_prefix END
)
