-- Patients of both hospitals with SCD2 history (timestamp on the source's modified date).
-- Quarantine rules: models/silver/silver.yml.
{{ config(materialized='snapshot', unique_key='patient_key', strategy='timestamp', updated_at='modified_date', hard_deletes='invalidate', tags=['phi']) }}

SELECT * FROM {{ ref('stg_patients') }}
