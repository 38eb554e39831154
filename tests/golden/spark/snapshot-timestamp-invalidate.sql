-- check: check unique_key (fails with E_DUPLICATE_KEYS)
SELECT s.`patient_id`, s.`datasource`, count(*) AS __mdl_count
FROM (
SELECT patient_id, datasource, first_name, dob, modified_date FROM `silver`.`stg_patients`
) AS s
GROUP BY s.`patient_id`, s.`datasource`
HAVING count(*) > 1
ORDER BY s.`patient_id`, s.`datasource`
LIMIT 10;
-- rows: merge snapshot
MERGE INTO `silver`.`patients` AS t
USING (
WITH __mdl_src AS (
  SELECT *, TRUE AS __mdl_present FROM (
SELECT patient_id, datasource, first_name, dob, modified_date FROM `silver`.`stg_patients`
  ) AS b
),
__mdl_cur AS (
  SELECT `patient_id`, `datasource`, `scd_id` AS __mdl_cur_scd_id, `valid_from` AS __mdl_cur_valid_from, `snapshot_updated_at` AS __mdl_cur_updated_at, FALSE AS __mdl_cur_deleted
  FROM `silver`.`patients`
  WHERE `is_current`
),
__mdl_last AS (
  SELECT `patient_id`, `datasource`, max(`valid_to`) AS __mdl_last_valid_to
  FROM `silver`.`patients`
  WHERE NOT `is_current`
  GROUP BY `patient_id`, `datasource`
),
__mdl_classified AS (
  SELECT s.*,
  c.__mdl_cur_scd_id, c.__mdl_cur_deleted,
  CASE WHEN s.__mdl_present IS NULL THEN c.`patient_id` ELSE s.`patient_id` END AS __mdl_k0,
  CASE WHEN s.__mdl_present IS NULL THEN c.`datasource` ELSE s.`datasource` END AS __mdl_k1,
  CASE
    WHEN s.__mdl_present IS NULL THEN CASE WHEN NOT c.__mdl_cur_deleted THEN 'delete' END
    WHEN c.__mdl_cur_scd_id IS NULL THEN 'insert'
    WHEN c.__mdl_cur_deleted THEN 'reopen'
    WHEN CAST(s.`modified_date` AS TIMESTAMP) > c.__mdl_cur_updated_at THEN 'update'
  END AS __mdl_action,
  CASE WHEN s.__mdl_present IS NULL THEN GREATEST(current_timestamp(), c.__mdl_cur_valid_from) ELSE CASE WHEN CAST(s.`modified_date` AS TIMESTAMP) IS NULL THEN current_timestamp() WHEN COALESCE(c.__mdl_cur_valid_from, l.__mdl_last_valid_to) IS NULL OR CAST(s.`modified_date` AS TIMESTAMP) > COALESCE(c.__mdl_cur_valid_from, l.__mdl_last_valid_to) THEN CAST(s.`modified_date` AS TIMESTAMP) ELSE current_timestamp() END END AS __mdl_at,
  CAST(s.`modified_date` AS TIMESTAMP) AS __mdl_src_updated_at
  FROM __mdl_src AS s
  FULL OUTER JOIN __mdl_cur AS c ON (s.`patient_id`) <=> (c.`patient_id`) AND (s.`datasource`) <=> (c.`datasource`)
  LEFT JOIN __mdl_last AS l ON (s.`patient_id`) <=> (l.`patient_id`) AND (s.`datasource`) <=> (l.`datasource`)
)
SELECT CASE WHEN r.__mdl_close THEN j.__mdl_cur_scd_id END AS __mdl_merge_key,
  j.__mdl_at,
  j.__mdl_action = 'delete' AS __mdl_deleted,
  CASE WHEN j.__mdl_action = 'delete' THEN current_timestamp() ELSE j.__mdl_src_updated_at END AS __mdl_updated_at,
  j.__mdl_k0 AS __mdl_v0,
  j.__mdl_k1 AS __mdl_v1,
  j.`first_name` AS __mdl_v2,
  j.`dob` AS __mdl_v3,
  j.`modified_date` AS __mdl_v4
FROM __mdl_classified AS j
JOIN (VALUES (TRUE), (FALSE)) AS r(__mdl_close)
  ON (r.__mdl_close AND j.__mdl_action IN ('update', 'reopen', 'delete'))
  OR (NOT r.__mdl_close AND j.__mdl_action IN ('insert', 'update', 'reopen'))
) AS s
ON t.`scd_id` = s.`__mdl_merge_key` AND t.`is_current`
WHEN MATCHED THEN UPDATE SET
  `valid_to` = s.__mdl_at,
  `is_current` = FALSE,
  `modified_at` = current_timestamp()
WHEN NOT MATCHED THEN INSERT (`patient_id`, `datasource`, `first_name`, `dob`, `modified_date`, `scd_id`, `valid_from`, `valid_to`, `is_current`, `snapshot_updated_at`, `inserted_at`, `modified_at`)
VALUES (
  s.__mdl_v0,
  s.__mdl_v1,
  s.__mdl_v2,
  s.__mdl_v3,
  s.__mdl_v4,
  md5(to_json(array(CAST(s.__mdl_v0 AS STRING), CAST(s.__mdl_v1 AS STRING), CAST(s.__mdl_at AS STRING)))),
  s.__mdl_at,
  CAST(NULL AS TIMESTAMP),
  TRUE,
  s.__mdl_updated_at,
  current_timestamp(),
  current_timestamp()
);
