-- Departments of both hospitals in the common data model: newest Full load only.
WITH a AS ({{ latest_full_load(source('bronze', 'hosa_departments')) }}),
b AS ({{ latest_full_load(source('bronze', 'hosb_departments')) }}),
unioned AS (
  SELECT DeptID, Name, datasource, _load_id FROM a
  UNION ALL
  SELECT DeptID, Name, datasource, _load_id FROM b
),
ranked AS (
  SELECT *, row_number() OVER (PARTITION BY datasource, DeptID ORDER BY Name) AS __rn
  FROM unioned
)
SELECT
  {{ surrogate_key('DeptID') }} AS dept_key,
  CAST(DeptID AS STRING) AS dept_id,
  datasource,
  CAST(Name AS STRING) AS department_name,
  _load_id AS load_id
FROM ranked
WHERE __rn = 1
