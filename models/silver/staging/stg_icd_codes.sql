-- ICD-10-CM codes from the newest code-set file.
WITH latest AS ({{ latest_file_load(source('bronze', 'icd_codes')) }}),
ranked AS (
  SELECT *, row_number() OVER (
    PARTITION BY trim(CAST(icd_code AS STRING)) ORDER BY code_description
  ) AS __rn
  FROM latest
)
SELECT
  trim(CAST(icd_code AS STRING)) AS icd_code,
  CAST(icd_code_type AS STRING) AS icd_code_type,
  CAST(code_description AS STRING) AS description
FROM ranked
WHERE __rn = 1
