-- ICD-10-CM code set with SCD2 history.
-- Quarantine rules: models/silver/silver.yml.
{{ config(materialized='snapshot', unique_key='icd_code', strategy='check', check_cols=['icd_code_type', 'description'], hard_deletes='invalidate') }}

SELECT * FROM {{ ref('stg_icd_codes') }}
