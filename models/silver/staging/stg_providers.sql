-- Providers of both hospitals: newest Full load only. NPI stays BIGINT (never a 32-bit int).
WITH a AS ({{ latest_full_load(source('bronze', 'hosa_providers')) }}),
b AS ({{ latest_full_load(source('bronze', 'hosb_providers')) }}),
unioned AS (
  SELECT ProviderID, FirstName, LastName, Specialization, DeptID, NPI, datasource, _load_id FROM a
  UNION ALL
  SELECT ProviderID, FirstName, LastName, Specialization, DeptID, NPI, datasource, _load_id FROM b
),
ranked AS (
  -- Exact duplicate rows collapse to one.
  SELECT *, row_number() OVER (PARTITION BY datasource, ProviderID ORDER BY NPI, DeptID) AS __rn
  FROM unioned
)
SELECT
  {{ surrogate_key('ProviderID') }} AS provider_key,
  CAST(ProviderID AS STRING) AS provider_id,
  datasource,
  CAST(FirstName AS STRING) AS first_name,
  CAST(LastName AS STRING) AS last_name,
  CAST(Specialization AS STRING) AS specialization,
  CAST(DeptID AS STRING) AS dept_id,
  {{ surrogate_key('DeptID') }} AS dept_key,
  CAST(NPI AS BIGINT) AS npi
FROM ranked
WHERE __rn = 1
