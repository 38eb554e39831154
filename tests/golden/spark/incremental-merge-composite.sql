-- exec: stage new batch
CREATE TABLE `silver`.`inc__mdl_batch_r1`
USING DELTA
TBLPROPERTIES ('delta.columnMapping.mode' = 'name', 'delta.minReaderVersion' = '2', 'delta.minWriterVersion' = '5')
AS
SELECT id, name, amount FROM `staging`.`src`;
-- check: check unique_key (fails with E_DUPLICATE_KEYS)
SELECT `id`, `name`, count(*) AS __mdl_count
FROM `silver`.`inc__mdl_batch_r1`
GROUP BY `id`, `name`
HAVING count(*) > 1
ORDER BY `id`, `name`
LIMIT 10;
-- rows: merge
MERGE INTO `silver`.`inc` AS t
USING `silver`.`inc__mdl_batch_r1` AS s
ON t.`id` <=> s.`id` AND t.`name` <=> s.`name`
WHEN MATCHED THEN UPDATE SET `amount` = s.`amount`
WHEN NOT MATCHED THEN INSERT (`id`, `name`, `amount`) VALUES (s.`id`, s.`name`, s.`amount`);
-- cleanup: drop staged batch
DROP TABLE IF EXISTS `silver`.`inc__mdl_batch_r1`;
