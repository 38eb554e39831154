BEGIN TRANSACTION;
-- exec: create schema
CREATE SCHEMA IF NOT EXISTS "silver";
-- rows: create snapshot
CREATE TABLE "silver"."patients" AS
SELECT
  s."patient_id",
  s."datasource",
  s."first_name",
  s."dob",
  s."modified_date",
  md5(CAST(list_value(CAST(s."patient_id" AS VARCHAR), CAST(s."datasource" AS VARCHAR), CAST(COALESCE(CAST(s."modified_date" AS TIMESTAMP), current_localtimestamp()) AS VARCHAR)) AS VARCHAR)) AS "scd_id",
  COALESCE(CAST(s."modified_date" AS TIMESTAMP), current_localtimestamp()) AS "valid_from",
  CAST(NULL AS TIMESTAMP) AS "valid_to",
  TRUE AS "is_current",
  COALESCE(CAST(s."modified_date" AS TIMESTAMP), current_localtimestamp()) AS "snapshot_updated_at",
  current_localtimestamp() AS "inserted_at",
  current_localtimestamp() AS "modified_at"
FROM (
SELECT patient_id, datasource, first_name, dob, modified_date FROM "silver"."stg_patients"
) AS s;
-- check: check unique_key (fails with E_DUPLICATE_KEYS)
SELECT s."patient_id", s."datasource", count(*) AS __mdl_count
FROM (
SELECT * FROM "silver"."patients"
) AS s
GROUP BY s."patient_id", s."datasource"
HAVING count(*) > 1
ORDER BY s."patient_id", s."datasource"
LIMIT 10;
COMMIT;
