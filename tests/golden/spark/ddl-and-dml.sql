CREATE SCHEMA IF NOT EXISTS `silver`;
CREATE OR REPLACE TABLE `silver`.`transactions`
USING DELTA
PARTITIONED BY (`datasource`)
COMMENT 'Revenue-cycle transactions (one row per line, it\'s SCD2)'
TBLPROPERTIES ('delta.columnMapping.mode' = 'name', 'delta.minReaderVersion' = '2', 'delta.minWriterVersion' = '5', 'delta.enableChangeDataFeed' = 'true')
AS
SELECT id, name, amount FROM `staging`.`src`;
CREATE OR REPLACE TABLE `gold`.`fact`
USING DELTA
CLUSTER BY (`encounter_id`, `datasource`)
TBLPROPERTIES ('delta.columnMapping.mode' = 'name', 'delta.minReaderVersion' = '2', 'delta.minWriterVersion' = '5')
AS
SELECT id, name, amount FROM `staging`.`src`;
ALTER TABLE `silver`.`transactions` RENAME TO `silver`.`transactions_old`;
COMMENT ON TABLE `silver`.`transactions` IS 'Transactions';
ALTER TABLE `silver`.`transactions` ALTER COLUMN `amount` COMMENT 'Billed amount in USD';
ALTER VIEW `gold`.`v` SET TBLPROPERTIES ('comment' = 'Transactions');
CREATE OR REPLACE VIEW `bronze`.`hos_a_patients` AS
SELECT * FROM parquet.`/data/bronze/hos-a/patients`;
INSERT OVERWRITE TABLE `silver`.`transactions` (`id`, `name`)
SELECT `id`, `name` FROM (
SELECT id, name, amount FROM `staging`.`src`
) AS __mdl_src;
INSERT INTO `silver`.`transactions`
REPLACE WHERE datasource = 'hos-a'
SELECT `id`, `name` FROM (
SELECT id, name, amount FROM `staging`.`src`
) AS __mdl_src;
ALTER TABLE `silver`.`transactions` ADD COLUMNS (`note` string, `quarantine_reasons` ARRAY<STRING>);
ALTER TABLE `silver`.`transactions` DROP COLUMN `old`;
DELETE FROM `silver`.`transactions`;
ALTER TABLE `silver`.`transactions` SET TBLPROPERTIES ('delta.logRetentionDuration' = 'interval 30 days');
SELECT md5(to_json(array(CAST(a AS STRING), CAST(b AS STRING)))), NOT ((a) <=> (b)), filter(array(CAST(CASE WHEN dob IS NULL THEN 'missing_dob' END AS STRING)), x -> x IS NOT NULL), size(r), CAST(array() AS ARRAY<STRING>), 'it\'s a \\ path', `we``ird`;
