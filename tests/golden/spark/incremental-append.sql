-- exec: stage new batch
CREATE TABLE `silver`.`inc__mdl_batch_r1`
USING DELTA
TBLPROPERTIES ('delta.columnMapping.mode' = 'name', 'delta.minReaderVersion' = '2', 'delta.minWriterVersion' = '5')
AS
SELECT id, name, amount FROM `staging`.`src`;
-- rows: append
INSERT INTO `silver`.`inc` (`id`, `name`, `amount`)
SELECT `id`, `name`, `amount` FROM (
SELECT * FROM `silver`.`inc__mdl_batch_r1`
) AS __mdl_src;
-- cleanup: drop staged batch
DROP TABLE IF EXISTS `silver`.`inc__mdl_batch_r1`;
