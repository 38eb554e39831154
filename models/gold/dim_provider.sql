-- Current, non-quarantined providers; NPI as BIGINT (joins dim_npi).
SELECT
  provider_key, provider_id, datasource, first_name, last_name, specialization, dept_key, npi,
  valid_from AS current_since
FROM {{ ref('providers') }}
WHERE is_current AND NOT is_quarantined
