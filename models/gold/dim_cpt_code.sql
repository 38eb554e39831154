-- Current CPT codes: a description change replaces the description here and keeps the code
-- (the old description stays in silver history).
SELECT cpt_code, category, description, code_status, valid_from AS current_since
FROM {{ ref('cpt_codes') }}
WHERE is_current AND NOT is_quarantined
