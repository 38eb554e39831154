-- Current, non-quarantined patients of both hospitals.
{{ config(tags=['phi']) }}
SELECT
  patient_key, patient_id, datasource, first_name, last_name, middle_name, ssn, phone_number,
  gender, dob, address, valid_from AS current_since
FROM {{ ref('patients') }}
WHERE is_current AND NOT is_quarantined
