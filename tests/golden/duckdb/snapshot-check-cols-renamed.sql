BEGIN TRANSACTION;
-- check: check unique_key (fails with E_DUPLICATE_KEYS)
SELECT s."patient_id", s."datasource", count(*) AS __mdl_count
FROM (
SELECT patient_id, datasource, first_name, dob, modified_date FROM "silver"."stg_patients"
) AS s
GROUP BY s."patient_id", s."datasource"
HAVING count(*) > 1
ORDER BY s."patient_id", s."datasource"
LIMIT 10;
-- rows: merge snapshot
MERGE INTO "silver"."patients" AS t
USING (
WITH __mdl_src AS (
  SELECT *, TRUE AS __mdl_present FROM (
SELECT patient_id, datasource, first_name, dob, modified_date FROM "silver"."stg_patients"
  ) AS b
),
__mdl_cur AS (
  SELECT "patient_id", "datasource", "scd_id" AS __mdl_cur_scd_id, "eff_from" AS __mdl_cur_valid_from, "snapshot_updated_at" AS __mdl_cur_updated_at, FALSE AS __mdl_cur_deleted, "first_name" AS __mdl_c0, "dob" AS __mdl_c1
  FROM "silver"."patients"
  WHERE "current_flag"
),
__mdl_classified AS (
  SELECT s.*,
  c.__mdl_cur_scd_id, c.__mdl_cur_deleted,
  c.__mdl_c0,
  c.__mdl_c1,
  CASE WHEN s.__mdl_present IS NULL THEN c."patient_id" ELSE s."patient_id" END AS __mdl_k0,
  CASE WHEN s.__mdl_present IS NULL THEN c."datasource" ELSE s."datasource" END AS __mdl_k1,
  CASE
    WHEN c.__mdl_cur_scd_id IS NULL THEN 'insert'
    WHEN c.__mdl_cur_deleted THEN 'reopen'
    WHEN (s."first_name") IS DISTINCT FROM (c.__mdl_c0)
      OR (s."dob") IS DISTINCT FROM (c.__mdl_c1) THEN 'update'
  END AS __mdl_action,
  CASE WHEN s.__mdl_present IS NULL THEN GREATEST(current_localtimestamp(), c.__mdl_cur_valid_from) ELSE current_localtimestamp() END AS __mdl_at,
  current_localtimestamp() AS __mdl_src_updated_at
  FROM __mdl_src AS s
  LEFT JOIN __mdl_cur AS c ON (s."patient_id") IS NOT DISTINCT FROM (c."patient_id") AND (s."datasource") IS NOT DISTINCT FROM (c."datasource")
)
SELECT CASE WHEN r.__mdl_close THEN j.__mdl_cur_scd_id END AS __mdl_merge_key,
  j.__mdl_at,
  j.__mdl_action = 'delete' AS __mdl_deleted,
  CASE WHEN j.__mdl_action = 'delete' THEN current_localtimestamp() ELSE j.__mdl_src_updated_at END AS __mdl_updated_at,
  j.__mdl_k0 AS __mdl_v0,
  j.__mdl_k1 AS __mdl_v1,
  j."first_name" AS __mdl_v2,
  j."dob" AS __mdl_v3,
  j."modified_date" AS __mdl_v4
FROM __mdl_classified AS j
JOIN (VALUES (TRUE), (FALSE)) AS r(__mdl_close)
  ON (r.__mdl_close AND j.__mdl_action IN ('update', 'reopen'))
  OR (NOT r.__mdl_close AND j.__mdl_action IN ('insert', 'update', 'reopen'))
) AS s
ON t."scd_id" = s."__mdl_merge_key" AND t."current_flag"
WHEN MATCHED THEN UPDATE SET
  "eff_to" = s.__mdl_at,
  "current_flag" = FALSE,
  "modified_at" = current_localtimestamp()
WHEN NOT MATCHED THEN INSERT ("patient_id", "datasource", "first_name", "dob", "modified_date", "scd_id", "eff_from", "eff_to", "current_flag", "snapshot_updated_at", "inserted_at", "modified_at")
VALUES (
  s.__mdl_v0,
  s.__mdl_v1,
  s.__mdl_v2,
  s.__mdl_v3,
  s.__mdl_v4,
  md5(CAST(list_value(CAST(s.__mdl_v0 AS VARCHAR), CAST(s.__mdl_v1 AS VARCHAR), CAST(s.__mdl_at AS VARCHAR)) AS VARCHAR)),
  s.__mdl_at,
  TIMESTAMP '9999-12-31',
  TRUE,
  s.__mdl_updated_at,
  current_localtimestamp(),
  current_localtimestamp()
);
COMMIT;
