-- check: check unique_key (fails with E_DUPLICATE_KEYS)
SELECT s.`patient_id`, s.`datasource`, count(*) AS __mdl_count
FROM (
SELECT patient_id, datasource, first_name, dob, modified_date FROM `silver`.`stg_patients`
) AS s
GROUP BY s.`patient_id`, s.`datasource`
HAVING count(*) > 1
ORDER BY s.`patient_id`, s.`datasource`
LIMIT 10;
-- exec: create schema
CREATE SCHEMA IF NOT EXISTS `silver`;
-- rows: create snapshot
CREATE TABLE `silver`.`patients`
USING DELTA
TBLPROPERTIES ('delta.columnMapping.mode' = 'name', 'delta.minReaderVersion' = '2', 'delta.minWriterVersion' = '5')
AS
SELECT
  s.`patient_id`,
  s.`datasource`,
  s.`first_name`,
  s.`dob`,
  s.`modified_date`,
  md5(to_json(array(CAST(s.`patient_id` AS STRING), CAST(s.`datasource` AS STRING), CAST(COALESCE(CAST(s.`modified_date` AS TIMESTAMP), current_timestamp()) AS STRING)))) AS `scd_id`,
  COALESCE(CAST(s.`modified_date` AS TIMESTAMP), current_timestamp()) AS `valid_from`,
  CAST(NULL AS TIMESTAMP) AS `valid_to`,
  TRUE AS `is_current`,
  COALESCE(CAST(s.`modified_date` AS TIMESTAMP), current_timestamp()) AS `snapshot_updated_at`,
  current_timestamp() AS `inserted_at`,
  current_timestamp() AS `modified_at`
FROM (
SELECT patient_id, datasource, first_name, dob, modified_date FROM `silver`.`stg_patients`
) AS s;
