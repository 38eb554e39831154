-- exec: stage new batch
CREATE TABLE `hc_prod`.`silver`.`inc__mdl_batch_r1`
USING DELTA
TBLPROPERTIES ('delta.columnMapping.mode' = 'name', 'delta.minReaderVersion' = '2', 'delta.minWriterVersion' = '5')
AS
SELECT id, name, amount FROM `hc_prod`.`staging`.`src`;
-- rows: append
INSERT INTO `hc_prod`.`silver`.`inc` (`id`, `name`, `amount`)
SELECT `id`, `name`, `amount` FROM (
SELECT * FROM `hc_prod`.`silver`.`inc__mdl_batch_r1`
) AS __mdl_src;
-- cleanup: drop staged batch
DROP TABLE IF EXISTS `hc_prod`.`silver`.`inc__mdl_batch_r1`;
