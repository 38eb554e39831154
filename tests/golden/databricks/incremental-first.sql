-- exec: build temp table
CREATE OR REPLACE TABLE `hc_prod`.`silver`.`inc__mdl_tmp_r1`
USING DELTA
TBLPROPERTIES ('delta.columnMapping.mode' = 'name', 'delta.minReaderVersion' = '2', 'delta.minWriterVersion' = '5')
AS
SELECT id, name, amount FROM `hc_prod`.`staging`.`src`;
-- check: check unique_key (fails with E_DUPLICATE_KEYS)
SELECT `id`, count(*) AS __mdl_count
FROM `hc_prod`.`silver`.`inc__mdl_tmp_r1`
GROUP BY `id`
HAVING count(*) > 1
ORDER BY `id`
LIMIT 10;
-- rows: replace table
CREATE OR REPLACE TABLE `hc_prod`.`silver`.`inc`
USING DELTA
TBLPROPERTIES ('delta.columnMapping.mode' = 'name', 'delta.minReaderVersion' = '2', 'delta.minWriterVersion' = '5')
AS
SELECT * FROM `hc_prod`.`silver`.`inc__mdl_tmp_r1`;
-- cleanup: drop temp table
DROP TABLE IF EXISTS `hc_prod`.`silver`.`inc__mdl_tmp_r1`;
