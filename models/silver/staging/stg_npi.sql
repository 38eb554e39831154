-- NPI registry records from the newest registry extract. NPI stays BIGINT.
WITH latest AS ({{ latest_file_load(source('bronze', 'npi_providers')) }}),
ranked AS (
  SELECT *, row_number() OVER (
    PARTITION BY CAST(npi AS STRING) ORDER BY last_updated DESC
  ) AS __rn
  FROM latest
)
SELECT
  CAST(npi AS STRING) AS npi_text,
  try_cast(npi AS BIGINT) AS npi,
  CAST(first_name AS STRING) AS first_name,
  CAST(last_name AS STRING) AS last_name,
  CAST(position AS STRING) AS position,
  CAST(organisation_name AS STRING) AS organisation_name,
  try_cast(last_updated AS DATE) AS last_updated
FROM ranked
WHERE __rn = 1
