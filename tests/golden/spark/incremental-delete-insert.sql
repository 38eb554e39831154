-- exec: stage new batch
CREATE TABLE `silver`.`inc__mdl_batch_r1`
USING DELTA
TBLPROPERTIES ('delta.columnMapping.mode' = 'name', 'delta.minReaderVersion' = '2', 'delta.minWriterVersion' = '5')
AS
SELECT id, name, amount FROM `staging`.`src`;
-- check: check unique_key (fails with E_DUPLICATE_KEYS)
SELECT `id`, count(*) AS __mdl_count
FROM `silver`.`inc__mdl_batch_r1`
GROUP BY `id`
HAVING count(*) > 1
ORDER BY `id`
LIMIT 10;
-- exec: delete matching keys
MERGE INTO `silver`.`inc` AS t
USING `silver`.`inc__mdl_batch_r1` AS s
ON t.`id` <=> s.`id`
WHEN MATCHED THEN DELETE;
-- rows: insert
INSERT INTO `silver`.`inc` (`id`, `name`, `amount`)
SELECT `id`, `name`, `amount` FROM (
SELECT * FROM `silver`.`inc__mdl_batch_r1`
) AS __mdl_src;
-- cleanup: drop staged batch
DROP TABLE IF EXISTS `silver`.`inc__mdl_batch_r1`;
