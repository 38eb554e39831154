-- Current ICD-10-CM codes.
SELECT icd_code, icd_code_type, description, valid_from AS current_since
FROM {{ ref('icd_codes') }}
WHERE is_current AND NOT is_quarantined
