-- Current, non-quarantined departments of both hospitals.
SELECT dept_key, dept_id, datasource, department_name
FROM {{ ref('departments') }}
WHERE is_current AND NOT is_quarantined
