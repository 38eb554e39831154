-- Payors (reference seed).
SELECT CAST(payor_id AS STRING) AS payor_id, CAST(payor_name AS STRING) AS payor_name,
  CAST(payor_type AS STRING) AS payor_type
FROM {{ ref('payors') }}
