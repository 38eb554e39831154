-- Patients of both hospitals mapped onto one model (hospital B's columns renamed), newest
-- version per patient across all incremental loads.
-- Deletes: incremental loads never see a deleted row, so each load also lands the source's full
-- key list (`*_keys`); a patient whose key is missing from the newest list was deleted at the
-- source and is dropped here, so the snapshot (hard_deletes='invalidate') closes its version.
WITH unioned AS (
  SELECT
    CAST(PatientID AS STRING) AS patient_id, CAST(FirstName AS STRING) AS first_name,
    CAST(LastName AS STRING) AS last_name, CAST(MiddleName AS STRING) AS middle_name,
    CAST(SSN AS STRING) AS ssn, CAST(PhoneNumber AS STRING) AS phone_number,
    CAST(Gender AS STRING) AS gender, try_cast(DOB AS DATE) AS dob, CAST(Address AS STRING) AS address,
    try_cast(ModifiedDate AS TIMESTAMP) AS modified_date, datasource, _load_id
  FROM {{ source('bronze', 'hosa_patients') }} AS b
  WHERE EXISTS (
    SELECT 1 FROM {{ source('bronze', 'hosa_patients_keys') }} AS k
    WHERE k._load_id = (SELECT max(_load_id) FROM {{ source('bronze', 'hosa_patients_keys') }})
      AND k.PatientID IS NOT DISTINCT FROM b.PatientID
  )
  UNION ALL
  SELECT
    CAST(ID AS STRING), CAST(F_Name AS STRING), CAST(L_Name AS STRING), CAST(M_Name AS STRING),
    CAST(SSN AS STRING), CAST(PhoneNumber AS STRING), CAST(Gender AS STRING), try_cast(DOB AS DATE),
    CAST(Address AS STRING), try_cast(Updated_Date AS TIMESTAMP), datasource, _load_id
  FROM {{ source('bronze', 'hosb_patients') }} AS b
  WHERE EXISTS (
    SELECT 1 FROM {{ source('bronze', 'hosb_patients_keys') }} AS k
    WHERE k._load_id = (SELECT max(_load_id) FROM {{ source('bronze', 'hosb_patients_keys') }})
      AND k.ID IS NOT DISTINCT FROM b.ID
  )
),
ranked AS (
  SELECT *, row_number() OVER (
    PARTITION BY datasource, patient_id ORDER BY modified_date DESC, _load_id DESC
  ) AS __rn
  FROM unioned
)
SELECT
  {{ surrogate_key('patient_id') }} AS patient_key,
  patient_id, datasource, first_name, last_name, middle_name, ssn, phone_number, gender, dob,
  address, modified_date
FROM ranked
WHERE __rn = 1
