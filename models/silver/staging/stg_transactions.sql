-- Transactions (charges and payments) of both hospitals, newest version per transaction, with
-- the lookups the quarantine rules need: does the encounter exist, are the codes known. The
-- lookups read the current rows of the silver snapshots (already built, upstream in the DAG)
-- rather than their staging views, so no staging query is evaluated twice.
-- Deletes: incremental loads never see a deleted row, so each load also lands the source's full
-- key list (`*_keys`); a transaction whose key is missing from the newest list was deleted at the
-- source and is dropped here, so the snapshot (hard_deletes='invalidate') closes its version.
WITH unioned AS (
  SELECT TransactionID, EncounterID, PatientID, ProviderID, DeptID, VisitDate, ServiceDate,
    PaidDate, VisitType, Amount, AmountType, PaidAmount, ClaimID, PayorID, ProcedureCode, ICDCode,
    LineOfBusiness, MedicaidID, MedicareID, InsertDate, ModifiedDate, datasource, _load_id
  FROM {{ source('bronze', 'hosa_transactions') }} AS b
  WHERE EXISTS (
    SELECT 1 FROM {{ source('bronze', 'hosa_transactions_keys') }} AS k
    WHERE k._load_id = (SELECT max(_load_id) FROM {{ source('bronze', 'hosa_transactions_keys') }})
      AND k.TransactionID IS NOT DISTINCT FROM b.TransactionID
  )
  UNION ALL
  SELECT TransactionID, EncounterID, PatientID, ProviderID, DeptID, VisitDate, ServiceDate,
    PaidDate, VisitType, Amount, AmountType, PaidAmount, ClaimID, PayorID, ProcedureCode, ICDCode,
    LineOfBusiness, MedicaidID, MedicareID, InsertDate, ModifiedDate, datasource, _load_id
  FROM {{ source('bronze', 'hosb_transactions') }} AS b
  WHERE EXISTS (
    SELECT 1 FROM {{ source('bronze', 'hosb_transactions_keys') }} AS k
    WHERE k._load_id = (SELECT max(_load_id) FROM {{ source('bronze', 'hosb_transactions_keys') }})
      AND k.TransactionID IS NOT DISTINCT FROM b.TransactionID
  )
),
ranked AS (
  SELECT *, row_number() OVER (
    PARTITION BY datasource, TransactionID
    ORDER BY try_cast(ModifiedDate AS TIMESTAMP) DESC, _load_id DESC
  ) AS __rn
  FROM unioned
),
-- Cleaned ids computed once: the keys, the lookup joins and the "is it missing" tests use them.
latest AS (
  SELECT *,
    {{ clean_text('EncounterID') }} AS __encounter_id,
    {{ clean_text('ICDCode') }} AS __icd_code
  FROM ranked
  WHERE __rn = 1
)
SELECT
  {{ surrogate_key('t.TransactionID', 't.datasource') }} AS transaction_key,
  CAST(t.TransactionID AS STRING) AS transaction_id,
  t.datasource,
  CAST(t.EncounterID AS STRING) AS encounter_id,
  {{ surrogate_key('t.__encounter_id', 't.datasource') }} AS encounter_key,
  CAST(t.PatientID AS STRING) AS patient_id,
  {{ surrogate_key(clean_text('t.PatientID'), 't.datasource') }} AS patient_key,
  {{ surrogate_key('t.ProviderID', 't.datasource') }} AS provider_key,
  {{ surrogate_key('t.DeptID', 't.datasource') }} AS dept_key,
  try_cast(t.VisitDate AS DATE) AS visit_date,
  try_cast(t.ServiceDate AS DATE) AS service_date,
  try_cast(t.PaidDate AS DATE) AS paid_date,
  CAST(t.VisitType AS STRING) AS visit_type,
  try_cast(t.Amount AS DECIMAL(14, 2)) AS amount,
  CAST(t.AmountType AS STRING) AS amount_type,
  try_cast(t.PaidAmount AS DECIMAL(14, 2)) AS paid_amount,
  CAST(t.ClaimID AS STRING) AS claim_id,
  {{ surrogate_key('t.ClaimID', 't.datasource') }} AS claim_key,
  CAST(t.PayorID AS STRING) AS payor_id,
  CAST(t.ProcedureCode AS STRING) AS procedure_code,
  CAST(t.ICDCode AS STRING) AS icd_code,
  CAST(t.LineOfBusiness AS STRING) AS line_of_business,
  CAST(t.MedicaidID AS STRING) AS medicaid_id,
  CAST(t.MedicareID AS STRING) AS medicare_id,
  try_cast(t.InsertDate AS TIMESTAMP) AS insert_date,
  try_cast(t.ModifiedDate AS TIMESTAMP) AS modified_date,
  CASE WHEN t.__encounter_id IS NULL THEN NULL ELSE e.encounter_key IS NOT NULL END AS encounter_found,
  CASE WHEN t.ProcedureCode IS NULL THEN NULL ELSE c.cpt_code IS NOT NULL END AS procedure_code_known,
  CASE WHEN t.__icd_code IS NULL THEN NULL ELSE i.icd_code IS NOT NULL END AS icd_code_known
FROM latest AS t
LEFT JOIN (SELECT encounter_key FROM {{ ref('encounters') }} WHERE is_current) AS e
  ON e.encounter_key = {{ surrogate_key('t.__encounter_id', 't.datasource') }}
LEFT JOIN (SELECT cpt_code FROM {{ ref('cpt_codes') }} WHERE is_current) AS c
  ON c.cpt_code = CAST(t.ProcedureCode AS STRING)
LEFT JOIN (SELECT icd_code FROM {{ ref('icd_codes') }} WHERE is_current) AS i
  ON i.icd_code = t.__icd_code
