-- CPT code set with SCD2 history: a description change closes the old version and the code stays current.
-- Quarantine rules: models/silver/silver.yml.
{{ config(materialized='snapshot', unique_key='cpt_code', strategy='check', check_cols=['category', 'description', 'code_status'], hard_deletes='invalidate') }}

SELECT * FROM {{ ref('stg_cpt_codes') }}
