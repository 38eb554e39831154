-- One row per current, non-quarantined transaction, with foreign keys to the dimensions (NULL
-- when the referenced row is missing or quarantined, so a dirty patient never drops revenue),
-- its claim's status, the open AR balance and its aging bucket as of `as_of_date`.
{{ config(tags=['phi']) }}
WITH t AS (
  SELECT * FROM {{ ref('transactions') }} WHERE is_current AND NOT is_quarantined
),
c AS (
  SELECT * FROM {{ ref('claims') }} WHERE is_current AND NOT is_quarantined
),
base AS (
  SELECT
    t.transaction_key,
    t.transaction_id,
    t.datasource,
    t.encounter_key,
    p.patient_key,
    pr.provider_key,
    d.dept_key,
    cpt.cpt_code,
    icd.icd_code,
    py.payor_id,
    c.claim_key,
    c.claim_status,
    c.claim_date,
    t.visit_type,
    t.line_of_business,
    t.visit_date,
    t.service_date,
    t.paid_date,
    t.amount AS charge_amount,
    t.paid_amount,
    -- Open AR: charges not yet adjudicated (no paid/decision date).
    CASE WHEN t.paid_date IS NULL THEN t.amount ELSE CAST(0 AS DECIMAL(14, 2)) END AS ar_balance
  FROM t
  LEFT JOIN {{ ref('dim_patient') }} AS p ON p.patient_key = t.patient_key
  LEFT JOIN {{ ref('dim_provider') }} AS pr ON pr.provider_key = t.provider_key
  LEFT JOIN {{ ref('dim_department') }} AS d ON d.dept_key = t.dept_key
  LEFT JOIN {{ ref('dim_cpt_code') }} AS cpt ON cpt.cpt_code = t.procedure_code
  LEFT JOIN {{ ref('dim_icd_code') }} AS icd ON icd.icd_code = t.icd_code
  LEFT JOIN {{ ref('dim_payor') }} AS py ON py.payor_id = t.payor_id
  LEFT JOIN c ON c.claim_key = t.claim_key
),
as_of AS (
  SELECT {{ as_of_date('base') }} AS as_of_date
),
aged AS (
  SELECT base.*, as_of.as_of_date,
    {{ days_between('base.service_date', 'as_of.as_of_date') }} AS aging_days
  FROM base CROSS JOIN as_of
)
SELECT
  aged.*,
  CASE
    WHEN aging_days <= 30 THEN '0-30'
    WHEN aging_days <= 60 THEN '31-60'
    WHEN aging_days <= 90 THEN '61-90'
    ELSE '90+'
  END AS aging_bucket
FROM aged
