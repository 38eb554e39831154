-- Insurance claims with SCD2 history (status changes are versions).
-- Quarantine rules: models/silver/silver.yml.
{{ config(materialized='snapshot', unique_key='claim_key', strategy='timestamp', updated_at='modified_date', hard_deletes='invalidate', tags=['phi']) }}

SELECT * FROM {{ ref('stg_claims') }}
