-- exec: drop previous view
DROP VIEW IF EXISTS `hc_prod`.`silver`.`t`;
-- rows: replace table
CREATE OR REPLACE TABLE `hc_prod`.`silver`.`t`
USING DELTA
TBLPROPERTIES ('delta.columnMapping.mode' = 'name', 'delta.minReaderVersion' = '2', 'delta.minWriterVersion' = '5')
AS
SELECT id, name, amount FROM `hc_prod`.`staging`.`src`;
