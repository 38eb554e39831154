-- NPI registry records with SCD2 history.
-- Quarantine rules: models/silver/silver.yml.
{{ config(materialized='snapshot', unique_key='npi_text', strategy='check', check_cols=['first_name', 'last_name', 'position', 'organisation_name', 'last_updated'], hard_deletes='invalidate') }}

SELECT * FROM {{ ref('stg_npi') }}
