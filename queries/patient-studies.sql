/*---
id: patient-studies
title: Patient studies
description: >-
  The studies the catalog holds for a patient: modality, body part, study date, accession number,
  retention class and holds — the first half of the patient view.
roles: [privacy_officer]
tables: [study_catalog]
params:
  - name: patient
    type: mrn
    label: Patient MRN
    help: Hashed with the catalog key before it reaches the query engine; never stored in clear.
columns:
  - { name: study_instance_uid, description: The study's DICOM Study Instance UID. }
  - { name: accession_number, description: The accession number. }
  - { name: study_date, description: The study date. }
  - { name: modality, description: The modality (CT, MR, MG …). }
  - { name: body_part, description: The body part examined. }
  - { name: facility, description: The hospital that acquired the study. }
  - { name: retention_class, description: "adult or pediatric." }
  - { name: vip, description: Whether the patient is flagged VIP. }
  - { name: legal_hold, description: Whether the study is on legal hold in the catalog. }
  - { name: image_set_id, description: The HealthImaging image set. }
limits: The catalog as it is now; studies deleted at the end of retention are no longer listed.
---*/
SELECT study_instance_uid, accession_number, study_date, modality, body_part, facility, retention_class, vip, legal_hold,
       image_set_id
FROM study_catalog
WHERE patient_id_hash = :patient
ORDER BY study_date DESC, study_instance_uid
