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
  - { name: study_instance_uid, label: Study UID, kind: id, description: The study's DICOM Study Instance UID. }
  - { name: accession_number, label: Accession number, description: The accession number. }
  - { name: study_date, label: Study date, kind: date, description: The study date. }
  - { name: modality, label: Modality, description: "The modality (CT, MR, MG …)." }
  - { name: body_part, label: Body part, description: The body part examined. }
  - { name: facility, label: Facility, description: The hospital that acquired the study. }
  - { name: retention_class, label: Retention class, description: "adult or pediatric." }
  - { name: vip, label: VIP, kind: boolean, description: Whether the patient is flagged VIP. }
  - { name: legal_hold, label: Legal hold, kind: boolean, description: Whether the study is on legal hold in the catalog. }
  - { name: image_set_id, label: Image set, kind: id, description: The HealthImaging image set. }
limits: The catalog as it is now; studies deleted at the end of retention are no longer listed.
---*/
SELECT study_instance_uid, accession_number, study_date, modality, body_part, facility, retention_class, vip, legal_hold,
       image_set_id
FROM study_catalog
WHERE patient_id_hash = :patient
  -- the catalog's canary row (lib/lake/catalog-canary.ts) checks the MRN key; it is no one's study
  AND accession_number <> 'CUSTOS-CANARY'
ORDER BY study_date DESC, study_instance_uid
