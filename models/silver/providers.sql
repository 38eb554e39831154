-- Providers with SCD2 history (the source has no change date: check strategy).
-- Quarantine rules: models/silver/silver.yml.
{{ config(materialized='snapshot', unique_key='provider_key', strategy='check', check_cols=['first_name', 'last_name', 'specialization', 'dept_id', 'npi'], hard_deletes='invalidate') }}

SELECT * FROM {{ ref('stg_providers') }}
