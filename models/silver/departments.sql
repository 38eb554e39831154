-- Departments with SCD2 history.
-- Quarantine rules: models/silver/silver.yml.
{{ config(materialized='snapshot', unique_key='dept_key', strategy='check', check_cols=['department_name'], hard_deletes='invalidate') }}

SELECT * FROM {{ ref('stg_departments') }}
