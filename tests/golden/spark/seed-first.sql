-- rows: replace table
CREATE OR REPLACE TABLE `main`.`cpt`
USING DELTA
TBLPROPERTIES ('delta.columnMapping.mode' = 'name', 'delta.minReaderVersion' = '2', 'delta.minWriterVersion' = '5')
AS
/*mdl:csv eyJ2aWV3IjoiX19tZGxfY3N2XzZlNzZkMjdkNzE1ZDVkYTMiLCJwYXRoIjoiL3Avc2VlZHMvY3B0LmNzdiIsInR5cGVzIjp7ImNvZGUiOiJWQVJDSEFSIn19 */ SELECT * FROM `__mdl_csv_6e76d27d715d5da3`;
