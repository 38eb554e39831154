-- Claims of both hospitals (one bronze load per landed CSV file), newest version per claim.
WITH ranked AS (
  SELECT *, row_number() OVER (
    PARTITION BY datasource, ClaimID
    ORDER BY try_cast(ModifiedDate AS TIMESTAMP) DESC, _load_id DESC
  ) AS __rn
  FROM {{ source('bronze', 'claims') }}
)
SELECT
  {{ surrogate_key('ClaimID') }} AS claim_key,
  CAST(ClaimID AS STRING) AS claim_id,
  datasource,
  CAST(TransactionID AS STRING) AS transaction_id,
  {{ surrogate_key(clean_text('TransactionID')) }} AS transaction_key,
  CAST(PatientID AS STRING) AS patient_id,
  {{ surrogate_key(clean_text('PatientID')) }} AS patient_key,
  {{ surrogate_key(clean_text('EncounterID')) }} AS encounter_key,
  {{ surrogate_key(clean_text('ProviderID')) }} AS provider_key,
  {{ surrogate_key(clean_text('DeptID')) }} AS dept_key,
  try_cast(ServiceDate AS DATE) AS service_date,
  try_cast(ClaimDate AS DATE) AS claim_date,
  CAST(PayorID AS STRING) AS payor_id,
  try_cast(ClaimAmount AS DECIMAL(14, 2)) AS claim_amount,
  try_cast(PaidAmount AS DECIMAL(14, 2)) AS paid_amount,
  CAST(ClaimStatus AS STRING) AS claim_status,
  CAST(PayorType AS STRING) AS payor_type,
  try_cast(Deductible AS DECIMAL(14, 2)) AS deductible,
  try_cast(Coinsurance AS DECIMAL(14, 2)) AS coinsurance,
  try_cast(Copay AS DECIMAL(14, 2)) AS copay,
  try_cast(InsertDate AS TIMESTAMP) AS insert_date,
  try_cast(ModifiedDate AS TIMESTAMP) AS modified_date
FROM ranked
WHERE __rn = 1
