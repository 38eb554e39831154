-- Hand-written baseline for bench/pipeline.mjs: the same work as `mdl build` of the healthcare
-- project (first build: bronze views → silver with quarantine + SCD2 columns → gold → KPIs →
-- data tests), written directly in DuckDB SQL with no framework. __BRONZE__ is replaced by the
-- absolute bronze folder. Not a model: it exists only to measure mdl's overhead against.
CREATE SCHEMA IF NOT EXISTS bronze; CREATE SCHEMA IF NOT EXISTS silver; CREATE SCHEMA IF NOT EXISTS gold;
CREATE OR REPLACE VIEW bronze.hosa_departments AS SELECT * FROM read_parquet('__BRONZE__/hosa/departments/load_id=*/*.parquet', union_by_name = true, hive_partitioning = true);
CREATE OR REPLACE VIEW bronze.hosb_departments AS SELECT * FROM read_parquet('__BRONZE__/hosb/departments/load_id=*/*.parquet', union_by_name = true, hive_partitioning = true);
CREATE OR REPLACE VIEW bronze.hosa_providers AS SELECT * FROM read_parquet('__BRONZE__/hosa/providers/load_id=*/*.parquet', union_by_name = true, hive_partitioning = true);
CREATE OR REPLACE VIEW bronze.hosb_providers AS SELECT * FROM read_parquet('__BRONZE__/hosb/providers/load_id=*/*.parquet', union_by_name = true, hive_partitioning = true);
CREATE OR REPLACE VIEW bronze.hosa_patients AS SELECT * FROM read_parquet('__BRONZE__/hosa/patients/load_id=*/*.parquet', union_by_name = true, hive_partitioning = true);
CREATE OR REPLACE VIEW bronze.hosb_patients AS SELECT * FROM read_parquet('__BRONZE__/hosb/patients/load_id=*/*.parquet', union_by_name = true, hive_partitioning = true);
CREATE OR REPLACE VIEW bronze.hosa_encounters AS SELECT * FROM read_parquet('__BRONZE__/hosa/encounters/load_id=*/*.parquet', union_by_name = true, hive_partitioning = true);
CREATE OR REPLACE VIEW bronze.hosb_encounters AS SELECT * FROM read_parquet('__BRONZE__/hosb/encounters/load_id=*/*.parquet', union_by_name = true, hive_partitioning = true);
CREATE OR REPLACE VIEW bronze.hosa_transactions AS SELECT * FROM read_parquet('__BRONZE__/hosa/transactions/load_id=*/*.parquet', union_by_name = true, hive_partitioning = true);
CREATE OR REPLACE VIEW bronze.hosb_transactions AS SELECT * FROM read_parquet('__BRONZE__/hosb/transactions/load_id=*/*.parquet', union_by_name = true, hive_partitioning = true);
-- Full source key lists landed with every load: a key missing from the newest list was deleted.
CREATE OR REPLACE VIEW bronze.hosa_patients_keys AS SELECT * FROM read_parquet('__BRONZE__/hosa/patients/_keys/load_id=*/*.parquet', union_by_name = true, hive_partitioning = true);
CREATE OR REPLACE VIEW bronze.hosa_encounters_keys AS SELECT * FROM read_parquet('__BRONZE__/hosa/encounters/_keys/load_id=*/*.parquet', union_by_name = true, hive_partitioning = true);
CREATE OR REPLACE VIEW bronze.hosa_transactions_keys AS SELECT * FROM read_parquet('__BRONZE__/hosa/transactions/_keys/load_id=*/*.parquet', union_by_name = true, hive_partitioning = true);
CREATE OR REPLACE VIEW bronze.hosb_patients_keys AS SELECT * FROM read_parquet('__BRONZE__/hosb/patients/_keys/load_id=*/*.parquet', union_by_name = true, hive_partitioning = true);
CREATE OR REPLACE VIEW bronze.hosb_encounters_keys AS SELECT * FROM read_parquet('__BRONZE__/hosb/encounters/_keys/load_id=*/*.parquet', union_by_name = true, hive_partitioning = true);
CREATE OR REPLACE VIEW bronze.hosb_transactions_keys AS SELECT * FROM read_parquet('__BRONZE__/hosb/transactions/_keys/load_id=*/*.parquet', union_by_name = true, hive_partitioning = true);
CREATE OR REPLACE VIEW bronze.claims AS SELECT * FROM read_parquet('__BRONZE__/claims/claims/load_id=*/*.parquet', union_by_name = true, hive_partitioning = true);
CREATE OR REPLACE VIEW bronze.cpt_codes AS SELECT * FROM read_parquet('__BRONZE__/cpt/cpt_codes/load_id=*/*.parquet', union_by_name = true, hive_partitioning = true);
CREATE OR REPLACE VIEW bronze.icd_codes AS SELECT * FROM read_parquet('__BRONZE__/icd/icd_codes/load_id=*/*.parquet', union_by_name = true, hive_partitioning = true);
CREATE OR REPLACE VIEW bronze.npi_providers AS SELECT * FROM read_parquet('__BRONZE__/npi/npi_providers/load_id=*/*.parquet', union_by_name = true, hive_partitioning = true);

CREATE OR REPLACE TABLE silver.payors AS SELECT * FROM read_csv('__SEEDS__/payors.csv', header = true);
CREATE OR REPLACE TABLE silver.ar_aging_buckets AS SELECT * FROM read_csv('__SEEDS__/ar_aging_buckets.csv', header = true);

-- Code sets (newest file only), with quarantine flags and first-load SCD2 columns.
CREATE OR REPLACE TABLE silver.cpt_codes AS
WITH s AS (
  SELECT trim(cpt_codes) AS cpt_code, procedure_code_category AS category, procedure_code_descriptions AS description, code_status
  FROM bronze.cpt_codes WHERE _load_id = (SELECT max(_load_id) FROM bronze.cpt_codes)
  QUALIFY row_number() OVER (PARTITION BY trim(cpt_codes) ORDER BY procedure_code_descriptions) = 1
), q AS (
  SELECT *, list_filter([CASE WHEN cpt_code IS NULL OR lower(cpt_code) IN ('null', '') THEN 'missing_code' END,
    CASE WHEN description IS NULL OR lower(trim(description)) IN ('null', '') THEN 'missing_description' END], x -> x IS NOT NULL) AS quarantine_reasons FROM s
)
SELECT *, len(quarantine_reasons) > 0 AS is_quarantined, now()::TIMESTAMP AS valid_from, NULL::TIMESTAMP AS valid_to, true AS is_current,
  -- The SCD2 history columns mdl adds on a first build (scd_id = md5 of key and validity start).
  md5(CAST(list_value(CAST(cpt_code AS VARCHAR), CAST(valid_from AS VARCHAR)) AS VARCHAR)) AS scd_id, valid_from AS snapshot_updated_at,
  now()::TIMESTAMP AS inserted_at, now()::TIMESTAMP AS modified_at FROM q;

CREATE OR REPLACE TABLE silver.icd_codes AS
WITH s AS (
  SELECT trim(icd_code) AS icd_code, icd_code_type, code_description AS description
  FROM bronze.icd_codes WHERE _load_id = (SELECT max(_load_id) FROM bronze.icd_codes)
  QUALIFY row_number() OVER (PARTITION BY trim(icd_code) ORDER BY code_description) = 1
), q AS (
  SELECT *, list_filter([CASE WHEN icd_code IS NULL THEN 'missing_code' END,
    CASE WHEN description IS NULL OR lower(trim(description)) IN ('null', '') THEN 'missing_description' END], x -> x IS NOT NULL) AS quarantine_reasons FROM s
)
SELECT *, len(quarantine_reasons) > 0 AS is_quarantined, now()::TIMESTAMP AS valid_from, NULL::TIMESTAMP AS valid_to, true AS is_current,
  -- The SCD2 history columns mdl adds on a first build (scd_id = md5 of key and validity start).
  md5(CAST(list_value(CAST(icd_code AS VARCHAR), CAST(valid_from AS VARCHAR)) AS VARCHAR)) AS scd_id, valid_from AS snapshot_updated_at,
  now()::TIMESTAMP AS inserted_at, now()::TIMESTAMP AS modified_at FROM q;

CREATE OR REPLACE MACRO npi_ok(s) AS length(s) = 10 AND regexp_full_match(s, '[0-9]{10}') AND (24
  + [0,2,4,6,8,1,3,5,7,9][CAST(s[1] AS INT) + 1] + CAST(s[2] AS INT) + [0,2,4,6,8,1,3,5,7,9][CAST(s[3] AS INT) + 1]
  + CAST(s[4] AS INT) + [0,2,4,6,8,1,3,5,7,9][CAST(s[5] AS INT) + 1] + CAST(s[6] AS INT)
  + [0,2,4,6,8,1,3,5,7,9][CAST(s[7] AS INT) + 1] + CAST(s[8] AS INT) + [0,2,4,6,8,1,3,5,7,9][CAST(s[9] AS INT) + 1]
  + CAST(s[10] AS INT)) % 10 = 0;

CREATE OR REPLACE TABLE silver.npi AS
WITH s AS (
  SELECT CAST(npi AS VARCHAR) AS npi_text, npi, first_name, last_name, position, organisation_name, last_updated
  FROM bronze.npi_providers WHERE _load_id = (SELECT max(_load_id) FROM bronze.npi_providers)
), q AS (
  SELECT *, list_filter([CASE WHEN npi_text IS NULL THEN 'missing_npi' END,
    CASE WHEN npi_text IS NOT NULL AND NOT npi_ok(npi_text) THEN 'invalid_npi' END], x -> x IS NOT NULL) AS quarantine_reasons FROM s
)
SELECT *, len(quarantine_reasons) > 0 AS is_quarantined, now()::TIMESTAMP AS valid_from, NULL::TIMESTAMP AS valid_to, true AS is_current,
  -- The SCD2 history columns mdl adds on a first build (scd_id = md5 of key and validity start).
  md5(CAST(list_value(CAST(npi_text AS VARCHAR), CAST(valid_from AS VARCHAR)) AS VARCHAR)) AS scd_id, valid_from AS snapshot_updated_at,
  now()::TIMESTAMP AS inserted_at, now()::TIMESTAMP AS modified_at FROM q;

CREATE OR REPLACE TABLE silver.departments AS
WITH b AS (
  SELECT * FROM bronze.hosa_departments WHERE _load_id = (SELECT max(_load_id) FROM bronze.hosa_departments)
  UNION ALL BY NAME
  SELECT * FROM bronze.hosb_departments WHERE _load_id = (SELECT max(_load_id) FROM bronze.hosb_departments)
), s AS (
  SELECT DeptID || '-' || datasource AS dept_key, DeptID AS dept_id, datasource, Name AS department_name, _load_id AS load_id FROM b
  QUALIFY row_number() OVER (PARTITION BY datasource, DeptID ORDER BY Name) = 1
), q AS (
  SELECT *, list_filter([CASE WHEN dept_id IS NULL THEN 'missing_dept_id' END,
    CASE WHEN department_name IS NULL OR lower(trim(department_name)) IN ('null', '') THEN 'missing_name' END], x -> x IS NOT NULL) AS quarantine_reasons FROM s
)
SELECT *, len(quarantine_reasons) > 0 AS is_quarantined, now()::TIMESTAMP AS valid_from, NULL::TIMESTAMP AS valid_to, true AS is_current,
  -- The SCD2 history columns mdl adds on a first build (scd_id = md5 of key and validity start).
  md5(CAST(list_value(CAST(dept_key AS VARCHAR), CAST(valid_from AS VARCHAR)) AS VARCHAR)) AS scd_id, valid_from AS snapshot_updated_at,
  now()::TIMESTAMP AS inserted_at, now()::TIMESTAMP AS modified_at FROM q;

CREATE OR REPLACE TABLE silver.providers AS
WITH b AS (
  SELECT * FROM bronze.hosa_providers WHERE _load_id = (SELECT max(_load_id) FROM bronze.hosa_providers)
  UNION ALL BY NAME
  SELECT * FROM bronze.hosb_providers WHERE _load_id = (SELECT max(_load_id) FROM bronze.hosb_providers)
), s AS (
  SELECT ProviderID || '-' || datasource AS provider_key, ProviderID AS provider_id, datasource, FirstName AS first_name,
    LastName AS last_name, Specialization AS specialization, DeptID AS dept_id, DeptID || '-' || datasource AS dept_key, NPI AS npi
  FROM b QUALIFY row_number() OVER (PARTITION BY datasource, ProviderID ORDER BY NPI, DeptID) = 1
), q AS (
  SELECT *, list_filter([CASE WHEN provider_id IS NULL THEN 'missing_provider_id' END,
    CASE WHEN dept_id IS NULL OR lower(trim(dept_id)) IN ('null', '') THEN 'missing_dept_id' END,
    CASE WHEN npi IS NULL THEN 'missing_npi' END,
    CASE WHEN npi IS NOT NULL AND NOT npi_ok(CAST(npi AS VARCHAR)) THEN 'invalid_npi' END], x -> x IS NOT NULL) AS quarantine_reasons FROM s
)
SELECT *, len(quarantine_reasons) > 0 AS is_quarantined, now()::TIMESTAMP AS valid_from, NULL::TIMESTAMP AS valid_to, true AS is_current,
  -- The SCD2 history columns mdl adds on a first build (scd_id = md5 of key and validity start).
  md5(CAST(list_value(CAST(provider_key AS VARCHAR), CAST(valid_from AS VARCHAR)) AS VARCHAR)) AS scd_id, valid_from AS snapshot_updated_at,
  now()::TIMESTAMP AS inserted_at, now()::TIMESTAMP AS modified_at FROM q;

CREATE OR REPLACE TABLE silver.patients AS
WITH b AS (
  SELECT PatientID AS patient_id, FirstName AS first_name, LastName AS last_name, MiddleName AS middle_name, SSN AS ssn,
    PhoneNumber AS phone_number, Gender AS gender, DOB AS dob, Address AS address, ModifiedDate AS modified_date, datasource, _load_id
  FROM bronze.hosa_patients AS b WHERE EXISTS (SELECT 1 FROM bronze.hosa_patients_keys AS k WHERE k._load_id = (SELECT max(_load_id) FROM bronze.hosa_patients_keys) AND k.PatientID IS NOT DISTINCT FROM b.PatientID)
  UNION ALL
  SELECT ID, F_Name, L_Name, M_Name, SSN, PhoneNumber, Gender, DOB, Address, Updated_Date, datasource, _load_id FROM bronze.hosb_patients AS b WHERE EXISTS (SELECT 1 FROM bronze.hosb_patients_keys AS k WHERE k._load_id = (SELECT max(_load_id) FROM bronze.hosb_patients_keys) AND k.ID IS NOT DISTINCT FROM b.ID)
), s AS (
  SELECT patient_id || '-' || datasource AS patient_key, * EXCLUDE (_load_id) FROM b
  QUALIFY row_number() OVER (PARTITION BY datasource, patient_id ORDER BY modified_date DESC, _load_id DESC) = 1
), q AS (
  SELECT *, list_filter([CASE WHEN patient_id IS NULL OR lower(trim(patient_id)) IN ('null', '') THEN 'missing_patient_id' END,
    CASE WHEN first_name IS NULL OR lower(trim(first_name)) IN ('null', '') THEN 'missing_first_name' END,
    CASE WHEN dob IS NULL THEN 'missing_dob' END, CASE WHEN dob > current_date THEN 'future_dob' END], x -> x IS NOT NULL) AS quarantine_reasons FROM s
)
SELECT *, len(quarantine_reasons) > 0 AS is_quarantined, modified_date AS valid_from, NULL::TIMESTAMP AS valid_to, true AS is_current,
  -- The SCD2 history columns mdl adds on a first build (scd_id = md5 of key and validity start).
  md5(CAST(list_value(CAST(patient_key AS VARCHAR), CAST(valid_from AS VARCHAR)) AS VARCHAR)) AS scd_id, valid_from AS snapshot_updated_at,
  now()::TIMESTAMP AS inserted_at, now()::TIMESTAMP AS modified_at FROM q;

CREATE OR REPLACE TABLE silver.encounters AS
WITH b AS (
  SELECT * FROM bronze.hosa_encounters AS b WHERE EXISTS (SELECT 1 FROM bronze.hosa_encounters_keys AS k WHERE k._load_id = (SELECT max(_load_id) FROM bronze.hosa_encounters_keys) AND k.EncounterID IS NOT DISTINCT FROM b.EncounterID)
  UNION ALL BY NAME SELECT * FROM bronze.hosb_encounters AS b WHERE EXISTS (SELECT 1 FROM bronze.hosb_encounters_keys AS k WHERE k._load_id = (SELECT max(_load_id) FROM bronze.hosb_encounters_keys) AND k.EncounterID IS NOT DISTINCT FROM b.EncounterID)
), l AS (
  SELECT * FROM b QUALIFY row_number() OVER (PARTITION BY datasource, EncounterID ORDER BY ModifiedDate DESC, _load_id DESC) = 1
), s AS (
  SELECT l.EncounterID || '-' || l.datasource AS encounter_key, l.EncounterID AS encounter_id, l.datasource, l.PatientID AS patient_id,
    CASE WHEN lower(trim(l.PatientID)) IN ('null', '') THEN NULL ELSE trim(l.PatientID) END AS pid, l.EncounterDate AS encounter_date, l.EncounterType AS encounter_type,
    l.ProviderID || '-' || l.datasource AS provider_key, l.DepartmentID || '-' || l.datasource AS dept_key,
    CAST(l.ProcedureCode AS VARCHAR) AS procedure_code, l.InsertedDate AS inserted_date, l.ModifiedDate AS modified_date
  FROM l
), j AS (
  SELECT s.* EXCLUDE (pid), s.pid || '-' || s.datasource AS patient_key, CASE WHEN s.pid IS NULL THEN NULL ELSE p.patient_key IS NOT NULL END AS patient_found
  FROM s LEFT JOIN silver.patients p ON p.patient_key = s.pid || '-' || s.datasource
), q AS (
  SELECT *, list_filter([CASE WHEN encounter_id IS NULL THEN 'missing_encounter_id' END,
    CASE WHEN patient_id IS NULL OR lower(trim(patient_id)) IN ('null', '') THEN 'missing_patient_id' END,
    CASE WHEN NOT patient_found THEN 'orphan_patient' END,
    CASE WHEN encounter_date IS NULL THEN 'missing_encounter_date' END], x -> x IS NOT NULL) AS quarantine_reasons FROM j
)
SELECT *, len(quarantine_reasons) > 0 AS is_quarantined, modified_date AS valid_from, NULL::TIMESTAMP AS valid_to, true AS is_current,
  -- The SCD2 history columns mdl adds on a first build (scd_id = md5 of key and validity start).
  md5(CAST(list_value(CAST(encounter_key AS VARCHAR), CAST(valid_from AS VARCHAR)) AS VARCHAR)) AS scd_id, valid_from AS snapshot_updated_at,
  now()::TIMESTAMP AS inserted_at, now()::TIMESTAMP AS modified_at FROM q;

CREATE OR REPLACE TABLE silver.transactions AS
WITH b AS (
  SELECT * FROM bronze.hosa_transactions AS b WHERE EXISTS (SELECT 1 FROM bronze.hosa_transactions_keys AS k WHERE k._load_id = (SELECT max(_load_id) FROM bronze.hosa_transactions_keys) AND k.TransactionID IS NOT DISTINCT FROM b.TransactionID)
  UNION ALL BY NAME SELECT * FROM bronze.hosb_transactions AS b WHERE EXISTS (SELECT 1 FROM bronze.hosb_transactions_keys AS k WHERE k._load_id = (SELECT max(_load_id) FROM bronze.hosb_transactions_keys) AND k.TransactionID IS NOT DISTINCT FROM b.TransactionID)
), l AS (
  SELECT * FROM b QUALIFY row_number() OVER (PARTITION BY datasource, TransactionID ORDER BY ModifiedDate DESC, _load_id DESC) = 1
), q AS (
  SELECT l.TransactionID || '-' || l.datasource AS transaction_key, l.TransactionID AS transaction_id, l.datasource,
    l.EncounterID AS encounter_id, l.EncounterID || '-' || l.datasource AS encounter_key, l.PatientID AS patient_id,
    l.PatientID || '-' || l.datasource AS patient_key, l.ProviderID || '-' || l.datasource AS provider_key,
    l.DeptID || '-' || l.datasource AS dept_key, l.VisitDate AS visit_date, l.ServiceDate AS service_date, l.PaidDate AS paid_date,
    l.VisitType AS visit_type, CAST(l.Amount AS DECIMAL(14, 2)) AS amount, l.AmountType AS amount_type,
    CAST(l.PaidAmount AS DECIMAL(14, 2)) AS paid_amount, l.ClaimID AS claim_id, l.ClaimID || '-' || l.datasource AS claim_key,
    l.PayorID AS payor_id, CAST(l.ProcedureCode AS VARCHAR) AS procedure_code, l.ICDCode AS icd_code,
    l.LineOfBusiness AS line_of_business, l.MedicaidID AS medicaid_id, l.MedicareID AS medicare_id,
    l.InsertDate AS insert_date, l.ModifiedDate AS modified_date,
    CASE WHEN l.EncounterID IS NULL THEN NULL ELSE e.encounter_key IS NOT NULL END AS encounter_found,
    CASE WHEN l.ProcedureCode IS NULL THEN NULL ELSE c.cpt_code IS NOT NULL END AS procedure_code_known,
    CASE WHEN l.ICDCode IS NULL THEN NULL ELSE i.icd_code IS NOT NULL END AS icd_code_known
  FROM l
  LEFT JOIN silver.encounters e ON e.encounter_key = l.EncounterID || '-' || l.datasource
  LEFT JOIN silver.cpt_codes c ON c.cpt_code = CAST(l.ProcedureCode AS VARCHAR)
  LEFT JOIN silver.icd_codes i ON i.icd_code = l.ICDCode
), r AS (
  SELECT *, list_filter([CASE WHEN transaction_id IS NULL THEN 'missing_transaction_id' END,
    CASE WHEN encounter_id IS NULL THEN 'missing_encounter_id' END, CASE WHEN patient_id IS NULL THEN 'missing_patient_id' END,
    CASE WHEN visit_date IS NULL THEN 'missing_visit_date' END, CASE WHEN NOT encounter_found THEN 'orphan_encounter' END,
    CASE WHEN NOT procedure_code_known THEN 'invalid_procedure_code' END, CASE WHEN NOT icd_code_known THEN 'invalid_icd_code' END,
    CASE WHEN paid_amount > amount THEN 'paid_exceeds_amount' END,
    CASE WHEN amount < 0 OR paid_amount < 0 THEN 'negative_amount' END], x -> x IS NOT NULL) AS quarantine_reasons FROM q
)
SELECT *, len(quarantine_reasons) > 0 AS is_quarantined, modified_date AS valid_from, NULL::TIMESTAMP AS valid_to, true AS is_current,
  -- The SCD2 history columns mdl adds on a first build (scd_id = md5 of key and validity start).
  md5(CAST(list_value(CAST(transaction_key AS VARCHAR), CAST(valid_from AS VARCHAR)) AS VARCHAR)) AS scd_id, valid_from AS snapshot_updated_at,
  now()::TIMESTAMP AS inserted_at, now()::TIMESTAMP AS modified_at FROM r;

CREATE OR REPLACE TABLE silver.claims AS
WITH l AS (
  SELECT * FROM bronze.claims QUALIFY row_number() OVER (PARTITION BY datasource, ClaimID ORDER BY try_cast(ModifiedDate AS TIMESTAMP) DESC, _load_id DESC) = 1
), s AS (
  SELECT ClaimID || '-' || datasource AS claim_key, ClaimID AS claim_id, datasource, TransactionID AS transaction_id,
    CASE WHEN lower(trim(TransactionID)) IN ('null', '') THEN NULL ELSE trim(TransactionID) END || '-' || datasource AS transaction_key,
    PatientID AS patient_id,
    CASE WHEN lower(trim(PatientID)) IN ('null', '') THEN NULL ELSE trim(PatientID) END || '-' || datasource AS patient_key,
    CASE WHEN lower(trim(EncounterID)) IN ('null', '') THEN NULL ELSE trim(EncounterID) END || '-' || datasource AS encounter_key,
    CASE WHEN lower(trim(ProviderID)) IN ('null', '') THEN NULL ELSE trim(ProviderID) END || '-' || datasource AS provider_key,
    CASE WHEN lower(trim(DeptID)) IN ('null', '') THEN NULL ELSE trim(DeptID) END || '-' || datasource AS dept_key,
    try_cast(ServiceDate AS DATE) AS service_date, try_cast(ClaimDate AS DATE) AS claim_date, PayorID AS payor_id,
    try_cast(ClaimAmount AS DECIMAL(14, 2)) AS claim_amount, try_cast(PaidAmount AS DECIMAL(14, 2)) AS paid_amount,
    ClaimStatus AS claim_status, PayorType AS payor_type, try_cast(Deductible AS DECIMAL(14, 2)) AS deductible,
    try_cast(Coinsurance AS DECIMAL(14, 2)) AS coinsurance, try_cast(Copay AS DECIMAL(14, 2)) AS copay,
    try_cast(InsertDate AS TIMESTAMP) AS insert_date, try_cast(ModifiedDate AS TIMESTAMP) AS modified_date
  FROM l
), q AS (
  SELECT *, list_filter([CASE WHEN claim_id IS NULL THEN 'missing_claim_id' END,
    CASE WHEN transaction_id IS NULL OR lower(trim(transaction_id)) IN ('null', '') THEN 'missing_transaction_id' END,
    CASE WHEN patient_id IS NULL OR lower(trim(patient_id)) IN ('null', '') THEN 'missing_patient_id' END,
    CASE WHEN service_date IS NULL THEN 'missing_service_date' END,
    CASE WHEN claim_status NOT IN ('Paid', 'Partially Paid', 'Denied', 'Pending') THEN 'invalid_claim_status' END,
    CASE WHEN paid_amount > claim_amount THEN 'paid_exceeds_amount' END,
    CASE WHEN claim_amount < 0 OR paid_amount < 0 THEN 'negative_amount' END], x -> x IS NOT NULL) AS quarantine_reasons FROM s
)
SELECT *, len(quarantine_reasons) > 0 AS is_quarantined, modified_date AS valid_from, NULL::TIMESTAMP AS valid_to, true AS is_current,
  -- The SCD2 history columns mdl adds on a first build (scd_id = md5 of key and validity start).
  md5(CAST(list_value(CAST(claim_key AS VARCHAR), CAST(valid_from AS VARCHAR)) AS VARCHAR)) AS scd_id, valid_from AS snapshot_updated_at,
  now()::TIMESTAMP AS inserted_at, now()::TIMESTAMP AS modified_at FROM q;

-- Gold.
CREATE OR REPLACE TABLE gold.dim_patient AS SELECT patient_key, patient_id, datasource, first_name, last_name, middle_name, ssn, phone_number, gender, dob, address, valid_from AS current_since FROM silver.patients WHERE is_current AND NOT is_quarantined;
CREATE OR REPLACE TABLE gold.dim_provider AS SELECT provider_key, provider_id, datasource, first_name, last_name, specialization, dept_key, npi, valid_from AS current_since FROM silver.providers WHERE is_current AND NOT is_quarantined;
CREATE OR REPLACE TABLE gold.dim_department AS SELECT dept_key, dept_id, datasource, department_name FROM silver.departments WHERE is_current AND NOT is_quarantined;
CREATE OR REPLACE TABLE gold.dim_cpt_code AS SELECT cpt_code, category, description, code_status, valid_from AS current_since FROM silver.cpt_codes WHERE is_current AND NOT is_quarantined;
CREATE OR REPLACE TABLE gold.dim_icd_code AS SELECT icd_code, icd_code_type, description, valid_from AS current_since FROM silver.icd_codes WHERE is_current AND NOT is_quarantined;
CREATE OR REPLACE TABLE gold.dim_npi AS SELECT npi, first_name, last_name, position, organisation_name, last_updated FROM silver.npi WHERE is_current AND NOT is_quarantined;
CREATE OR REPLACE TABLE gold.dim_payor AS SELECT * FROM silver.payors;
CREATE OR REPLACE TABLE gold.fact_transactions AS
WITH base AS (
  SELECT t.transaction_key, t.transaction_id, t.datasource, t.encounter_key, p.patient_key, pr.provider_key, d.dept_key,
    cpt.cpt_code, icd.icd_code, py.payor_id, c.claim_key, c.claim_status, c.claim_date, t.visit_type, t.line_of_business,
    t.visit_date, t.service_date, t.paid_date, t.amount AS charge_amount, t.paid_amount,
    CASE WHEN t.paid_date IS NULL THEN t.amount ELSE 0 END AS ar_balance
  FROM silver.transactions t
  LEFT JOIN gold.dim_patient p ON p.patient_key = t.patient_key
  LEFT JOIN gold.dim_provider pr ON pr.provider_key = t.provider_key
  LEFT JOIN gold.dim_department d ON d.dept_key = t.dept_key
  LEFT JOIN gold.dim_cpt_code cpt ON cpt.cpt_code = t.procedure_code
  LEFT JOIN gold.dim_icd_code icd ON icd.icd_code = t.icd_code
  LEFT JOIN gold.dim_payor py ON py.payor_id = t.payor_id
  LEFT JOIN (SELECT * FROM silver.claims WHERE is_current AND NOT is_quarantined) c ON c.claim_key = t.claim_key
  WHERE t.is_current AND NOT t.is_quarantined
), a AS (SELECT greatest(max(service_date), coalesce(max(claim_date), max(service_date))) AS as_of_date FROM base)
SELECT base.*, a.as_of_date, date_diff('day', base.service_date, a.as_of_date) AS aging_days,
  CASE WHEN date_diff('day', base.service_date, a.as_of_date) <= 30 THEN '0-30' WHEN date_diff('day', base.service_date, a.as_of_date) <= 60 THEN '31-60'
       WHEN date_diff('day', base.service_date, a.as_of_date) <= 90 THEN '61-90' ELSE '90+' END AS aging_bucket
FROM base CROSS JOIN a;

CREATE OR REPLACE TABLE gold.kpi_ar_aging AS
SELECT b.bucket_name AS aging_bucket, b.sort_order, coalesce(x.n, 0) AS open_items, coalesce(x.ar, 0) AS ar_amount,
  100.0 * coalesce(x.ar, 0) / sum(x.ar) OVER () AS pct_of_ar
FROM silver.ar_aging_buckets b
LEFT JOIN (SELECT aging_bucket, count(*) AS n, sum(ar_balance) AS ar FROM gold.fact_transactions WHERE ar_balance > 0 GROUP BY 1) x ON x.aging_bucket = b.bucket_name;
CREATE OR REPLACE TABLE gold.kpi_ar_summary AS
SELECT max(as_of_date) AS as_of_date, count(*) FILTER (WHERE ar_balance > 0) AS open_items, sum(ar_balance) AS total_ar,
  sum(charge_amount) FILTER (WHERE aging_days BETWEEN 0 AND 89) / 90.0 AS avg_daily_charges,
  sum(ar_balance) / (sum(charge_amount) FILTER (WHERE aging_days BETWEEN 0 AND 89) / 90.0) AS days_in_ar,
  100.0 * sum(ar_balance) FILTER (WHERE aging_bucket = '90+') / sum(ar_balance) AS pct_ar_over_90
FROM gold.fact_transactions;
CREATE OR REPLACE TABLE gold.kpi_payor_performance AS
SELECT p.payor_id, p.payor_name, p.payor_type, count(f.transaction_key) AS claims,
  count(*) FILTER (WHERE f.claim_status <> 'Pending') AS adjudicated_claims, count(*) FILTER (WHERE f.claim_status = 'Denied') AS denied_claims,
  sum(f.charge_amount) AS charges, sum(f.paid_amount) AS payments,
  100.0 * count(*) FILTER (WHERE f.claim_status = 'Denied') / nullif(count(*) FILTER (WHERE f.claim_status <> 'Pending'), 0) AS denial_rate_pct,
  100.0 * sum(f.paid_amount) FILTER (WHERE f.claim_status <> 'Pending') / nullif(sum(f.charge_amount) FILTER (WHERE f.claim_status <> 'Pending'), 0) AS collection_rate_pct
FROM gold.dim_payor p LEFT JOIN (SELECT * FROM gold.fact_transactions WHERE claim_status IS NOT NULL) f ON f.payor_id = p.payor_id GROUP BY ALL;
CREATE OR REPLACE TABLE gold.kpi_department_performance AS
SELECT d.dept_key, d.datasource, d.department_name, count(f.transaction_key) AS claims,
  count(*) FILTER (WHERE f.claim_status <> 'Pending') AS adjudicated_claims, count(*) FILTER (WHERE f.claim_status = 'Denied') AS denied_claims,
  sum(f.charge_amount) AS charges, sum(f.paid_amount) AS payments,
  100.0 * count(*) FILTER (WHERE f.claim_status = 'Denied') / nullif(count(*) FILTER (WHERE f.claim_status <> 'Pending'), 0) AS denial_rate_pct,
  100.0 * sum(f.paid_amount) FILTER (WHERE f.claim_status <> 'Pending') / nullif(sum(f.charge_amount) FILTER (WHERE f.claim_status <> 'Pending'), 0) AS collection_rate_pct
FROM gold.dim_department d LEFT JOIN (SELECT * FROM gold.fact_transactions WHERE claim_status IS NOT NULL) f ON f.dept_key = d.dept_key GROUP BY ALL;
CREATE OR REPLACE TABLE gold.kpi_monthly_trend AS
SELECT date_trunc('month', service_date)::DATE AS service_month, count(*) AS transactions, sum(charge_amount) AS charges, sum(paid_amount) AS payments,
  count(*) FILTER (WHERE claim_status = 'Denied') AS denied_claims,
  100.0 * count(*) FILTER (WHERE claim_status = 'Denied') / nullif(count(*) FILTER (WHERE claim_status IN ('Paid', 'Partially Paid', 'Denied')), 0) AS denial_rate_pct,
  100.0 * sum(paid_amount) / nullif(sum(charge_amount), 0) AS collection_rate_pct, sum(ar_balance) AS ar_balance
FROM gold.fact_transactions GROUP BY 1;

-- The data tests of the build, one query: every count must be 0.
SELECT
  (SELECT count(*) FROM (SELECT patient_key FROM silver.patients WHERE is_current GROUP BY 1 HAVING count(*) > 1)) +
  (SELECT count(*) FROM (SELECT encounter_key FROM silver.encounters WHERE is_current GROUP BY 1 HAVING count(*) > 1)) +
  (SELECT count(*) FROM (SELECT transaction_key FROM silver.transactions WHERE is_current GROUP BY 1 HAVING count(*) > 1)) +
  (SELECT count(*) FROM (SELECT claim_key FROM silver.claims WHERE is_current GROUP BY 1 HAVING count(*) > 1)) +
  (SELECT count(*) FROM silver.patients a JOIN silver.patients b ON a.patient_key = b.patient_key AND a.scd_id <> b.scd_id AND a.valid_from < coalesce(b.valid_to, TIMESTAMP '9999-12-31') AND b.valid_from < coalesce(a.valid_to, TIMESTAMP '9999-12-31')) +
  (SELECT count(*) FROM silver.encounters a JOIN silver.encounters b ON a.encounter_key = b.encounter_key AND a.scd_id <> b.scd_id AND a.valid_from < coalesce(b.valid_to, TIMESTAMP '9999-12-31') AND b.valid_from < coalesce(a.valid_to, TIMESTAMP '9999-12-31')) +
  (SELECT count(*) FROM silver.transactions a JOIN silver.transactions b ON a.transaction_key = b.transaction_key AND a.scd_id <> b.scd_id AND a.valid_from < coalesce(b.valid_to, TIMESTAMP '9999-12-31') AND b.valid_from < coalesce(a.valid_to, TIMESTAMP '9999-12-31')) +
  (SELECT count(*) FROM silver.claims a JOIN silver.claims b ON a.claim_key = b.claim_key AND a.scd_id <> b.scd_id AND a.valid_from < coalesce(b.valid_to, TIMESTAMP '9999-12-31') AND b.valid_from < coalesce(a.valid_to, TIMESTAMP '9999-12-31')) +
  (SELECT count(*) FROM silver.providers a JOIN silver.providers b ON a.provider_key = b.provider_key AND a.scd_id <> b.scd_id AND a.valid_from < coalesce(b.valid_to, TIMESTAMP '9999-12-31') AND b.valid_from < coalesce(a.valid_to, TIMESTAMP '9999-12-31')) +
  (SELECT count(*) FROM silver.cpt_codes a JOIN silver.cpt_codes b ON a.cpt_code = b.cpt_code AND a.scd_id <> b.scd_id AND a.valid_from < coalesce(b.valid_to, TIMESTAMP '9999-12-31') AND b.valid_from < coalesce(a.valid_to, TIMESTAMP '9999-12-31')) +
  (SELECT count(*) FROM (SELECT provider_key FROM silver.providers WHERE is_current GROUP BY 1 HAVING count(*) > 1)) +
  (SELECT count(*) FROM (SELECT dept_key FROM silver.departments WHERE is_current GROUP BY 1 HAVING count(*) > 1)) +
  (SELECT count(*) FROM (SELECT cpt_code FROM silver.cpt_codes WHERE is_current GROUP BY 1 HAVING count(*) > 1)) +
  (SELECT count(*) FROM (SELECT icd_code FROM silver.icd_codes WHERE is_current GROUP BY 1 HAVING count(*) > 1)) +
  (SELECT count(*) FROM (SELECT npi_text FROM silver.npi WHERE is_current GROUP BY 1 HAVING count(*) > 1)) +
  (SELECT count(*) FROM silver.transactions WHERE datasource NOT IN ('hos-a', 'hos-b')) +
  (SELECT count(*) FROM silver.claims WHERE datasource NOT IN ('hos-a', 'hos-b')) +
  (SELECT count(*) FROM silver.patients WHERE is_quarantined IS NULL) +
  (SELECT count(*) FROM silver.transactions WHERE is_quarantined IS NULL) +
  (SELECT count(*) FROM silver.claims WHERE is_quarantined IS NULL) +
  (SELECT count(*) FROM silver.encounters WHERE is_quarantined IS NULL) +
  (SELECT count(*) FROM silver.transactions WHERE is_current AND NOT is_quarantined AND visit_type NOT IN ('Outpatient', 'Inpatient', 'Emergency', 'Telehealth')) +
  (SELECT count(*) FROM (SELECT transaction_key FROM gold.fact_transactions GROUP BY 1 HAVING count(*) > 1)) +
  (SELECT count(*) FROM gold.fact_transactions WHERE transaction_key IS NULL OR service_date IS NULL OR payor_id IS NULL OR charge_amount IS NULL) +
  (SELECT count(*) FROM gold.fact_transactions f WHERE f.patient_key IS NOT NULL AND NOT EXISTS (SELECT 1 FROM gold.dim_patient d WHERE d.patient_key = f.patient_key)) +
  (SELECT count(*) FROM gold.fact_transactions f WHERE f.provider_key IS NOT NULL AND NOT EXISTS (SELECT 1 FROM gold.dim_provider d WHERE d.provider_key = f.provider_key)) +
  (SELECT count(*) FROM gold.fact_transactions f WHERE f.dept_key IS NOT NULL AND NOT EXISTS (SELECT 1 FROM gold.dim_department d WHERE d.dept_key = f.dept_key)) +
  (SELECT count(*) FROM gold.fact_transactions f WHERE f.cpt_code IS NOT NULL AND NOT EXISTS (SELECT 1 FROM gold.dim_cpt_code d WHERE d.cpt_code = f.cpt_code)) +
  (SELECT count(*) FROM gold.fact_transactions f WHERE f.icd_code IS NOT NULL AND NOT EXISTS (SELECT 1 FROM gold.dim_icd_code d WHERE d.icd_code = f.icd_code)) +
  (SELECT count(*) FROM gold.fact_transactions WHERE paid_amount > charge_amount OR charge_amount < 0 OR paid_amount < 0 OR ar_balance < 0 OR aging_days < 0) +
  (SELECT count(*) FROM gold.fact_transactions WHERE aging_bucket NOT IN ('0-30', '31-60', '61-90', '90+') OR aging_bucket IS NULL) +
  (SELECT count(*) FROM gold.fact_transactions WHERE claim_status NOT IN ('Paid', 'Partially Paid', 'Denied', 'Pending')) +
  (SELECT count(*) FROM (SELECT patient_key FROM gold.dim_patient GROUP BY 1 HAVING count(*) > 1)) +
  (SELECT count(*) FROM gold.dim_patient WHERE first_name IS NULL OR dob IS NULL OR dob > current_date) +
  (SELECT count(*) FROM gold.dim_provider p WHERE NOT EXISTS (SELECT 1 FROM gold.dim_npi n WHERE n.npi = p.npi)) +
  (SELECT count(*) FROM gold.kpi_payor_performance WHERE denial_rate_pct NOT BETWEEN 0 AND 100 OR collection_rate_pct NOT BETWEEN 0 AND 100)
  AS failing_rows;
