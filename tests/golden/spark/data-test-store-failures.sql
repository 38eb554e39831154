CREATE SCHEMA IF NOT EXISTS `main_audit`;
CREATE OR REPLACE TABLE `main_audit`.`not_null_t_id`
USING DELTA
TBLPROPERTIES ('delta.columnMapping.mode' = 'name', 'delta.minReaderVersion' = '2', 'delta.minWriterVersion' = '5')
AS
SELECT id FROM `silver`.`t` WHERE id IS NULL;
SELECT count(*) AS failures FROM `main_audit`.`not_null_t_id`;
