-- The study index written by the ingest pipeline (Parquet). patient_id_hash is the lowercase hex
-- HMAC-SHA256 of the MRN under the catalog key; MRNs themselves never reach the lake.
CREATE EXTERNAL TABLE study_catalog (
    patient_id_hash STRING,
    accession_number STRING,
    study_instance_uid STRING,
    datastore_id STRING,
    image_set_id STRING,
    s3_key_prefix STRING,
    modality STRING,
    body_part STRING,
    study_date DATE,
    patient_birth_date DATE,
    retention_class STRING,
    vip BOOLEAN,
    legal_hold BOOLEAN,
    facility STRING
)
STORED AS PARQUET
LOCATION 's3://{{CATALOG_BUCKET}}/{{CATALOG_PREFIX}}';
