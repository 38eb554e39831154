-- Charges and payments with SCD2 history.
-- Quarantine rules: models/silver/silver.yml.
{{ config(materialized='snapshot', unique_key='transaction_key', strategy='timestamp', updated_at='modified_date', hard_deletes='invalidate', tags=['phi']) }}

SELECT * FROM {{ ref('stg_transactions') }}
