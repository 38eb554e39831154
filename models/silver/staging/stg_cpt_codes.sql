-- CPT codes from the newest code-set file; exact duplicate rows collapse to one.
WITH latest AS ({{ latest_file_load(source('bronze', 'cpt_codes')) }}),
ranked AS (
  SELECT *, row_number() OVER (
    PARTITION BY trim(CAST(cpt_codes AS STRING)) ORDER BY procedure_code_descriptions
  ) AS __rn
  FROM latest
)
SELECT
  trim(CAST(cpt_codes AS STRING)) AS cpt_code,
  CAST(procedure_code_category AS STRING) AS category,
  CAST(procedure_code_descriptions AS STRING) AS description,
  CAST(code_status AS STRING) AS code_status
FROM ranked
WHERE __rn = 1
