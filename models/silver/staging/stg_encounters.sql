-- Encounters of both hospitals, newest version per encounter; `patient_found` tells the
-- quarantine whether the patient exists (NULL when the encounter names no patient), looked up
-- in the current rows of the silver patients snapshot.
-- Deletes: incremental loads never see a deleted row, so each load also lands the source's full
-- key list (`*_keys`); a encounter whose key is missing from the newest list was deleted at the
-- source and is dropped here, so the snapshot (hard_deletes='invalidate') closes its version.
WITH unioned AS (
  SELECT EncounterID, PatientID, EncounterDate, EncounterType, ProviderID, DepartmentID,
    ProcedureCode, InsertedDate, ModifiedDate, datasource, _load_id
  FROM {{ source('bronze', 'hosa_encounters') }} AS b
  WHERE EXISTS (
    SELECT 1 FROM {{ source('bronze', 'hosa_encounters_keys') }} AS k
    WHERE k._load_id = (SELECT max(_load_id) FROM {{ source('bronze', 'hosa_encounters_keys') }})
      AND k.EncounterID IS NOT DISTINCT FROM b.EncounterID
  )
  UNION ALL
  SELECT EncounterID, PatientID, EncounterDate, EncounterType, ProviderID, DepartmentID,
    ProcedureCode, InsertedDate, ModifiedDate, datasource, _load_id
  FROM {{ source('bronze', 'hosb_encounters') }} AS b
  WHERE EXISTS (
    SELECT 1 FROM {{ source('bronze', 'hosb_encounters_keys') }} AS k
    WHERE k._load_id = (SELECT max(_load_id) FROM {{ source('bronze', 'hosb_encounters_keys') }})
      AND k.EncounterID IS NOT DISTINCT FROM b.EncounterID
  )
),
ranked AS (
  SELECT *, row_number() OVER (
    PARTITION BY datasource, EncounterID
    ORDER BY try_cast(ModifiedDate AS TIMESTAMP) DESC, _load_id DESC
  ) AS __rn
  FROM unioned
),
-- The cleaned patient id computed once: the key, the lookup join and the "missing" test use it.
latest AS (
  SELECT *, {{ clean_text('PatientID') }} AS __patient_id
  FROM ranked
  WHERE __rn = 1
)
SELECT
  {{ surrogate_key('e.EncounterID', 'e.datasource') }} AS encounter_key,
  CAST(e.EncounterID AS STRING) AS encounter_id,
  e.datasource,
  CAST(e.PatientID AS STRING) AS patient_id,
  {{ surrogate_key('e.__patient_id', 'e.datasource') }} AS patient_key,
  try_cast(e.EncounterDate AS DATE) AS encounter_date,
  CAST(e.EncounterType AS STRING) AS encounter_type,
  {{ surrogate_key('e.ProviderID', 'e.datasource') }} AS provider_key,
  {{ surrogate_key('e.DepartmentID', 'e.datasource') }} AS dept_key,
  CAST(e.ProcedureCode AS STRING) AS procedure_code,
  try_cast(e.InsertedDate AS TIMESTAMP) AS inserted_date,
  try_cast(e.ModifiedDate AS TIMESTAMP) AS modified_date,
  CASE WHEN e.__patient_id IS NULL THEN NULL ELSE p.patient_key IS NOT NULL END AS patient_found
FROM latest AS e
LEFT JOIN (SELECT patient_key FROM {{ ref('patients') }} WHERE is_current) AS p
  ON p.patient_key = {{ surrogate_key('e.__patient_id', 'e.datasource') }}
