-- exec: stage new batch
CREATE TABLE `hc_prod`.`silver`.`inc__mdl_batch_r1`
USING DELTA
TBLPROPERTIES ('delta.columnMapping.mode' = 'name', 'delta.minReaderVersion' = '2', 'delta.minWriterVersion' = '5')
AS
SELECT id, name, amount FROM `hc_prod`.`staging`.`src`;
-- check: check unique_key (fails with E_DUPLICATE_KEYS)
SELECT `id`, count(*) AS __mdl_count
FROM `hc_prod`.`silver`.`inc__mdl_batch_r1`
GROUP BY `id`
HAVING count(*) > 1
ORDER BY `id`
LIMIT 10;
-- rows: merge
MERGE INTO `hc_prod`.`silver`.`inc` AS t
USING `hc_prod`.`silver`.`inc__mdl_batch_r1` AS s
ON t.`id` <=> s.`id`
WHEN MATCHED THEN UPDATE SET `name` = s.`name`, `amount` = s.`amount`
WHEN NOT MATCHED THEN INSERT (`id`, `name`, `amount`) VALUES (s.`id`, s.`name`, s.`amount`);
-- cleanup: drop staged batch
DROP TABLE IF EXISTS `hc_prod`.`silver`.`inc__mdl_batch_r1`;
