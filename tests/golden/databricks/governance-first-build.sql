CREATE CATALOG IF NOT EXISTS `hc_prod`;
CREATE SCHEMA IF NOT EXISTS `hc_prod`.`silver`;
CREATE FUNCTION IF NOT EXISTS `hc_prod`.`silver`.`mdl_mask_string`(v string)
RETURNS string
COMMENT 'mdl: PHI column mask; members of phi_readers see the value'
RETURN CASE WHEN is_account_group_member('phi_readers') THEN v ELSE '***' END;
ALTER TABLE `hc_prod`.`silver`.`patients` ALTER COLUMN `ssn` SET MASK `hc_prod`.`silver`.`mdl_mask_string`;
ALTER TABLE `hc_prod`.`silver`.`patients` ALTER COLUMN `first_name` SET MASK `hc_prod`.`silver`.`mdl_mask_string`;
CREATE FUNCTION IF NOT EXISTS `hc_prod`.`silver`.`mdl_mask_date`(v date)
RETURNS date
COMMENT 'mdl: PHI column mask; members of phi_readers see the value'
RETURN CASE WHEN is_account_group_member('phi_readers') THEN v ELSE CAST(NULL AS date) END;
ALTER TABLE `hc_prod`.`silver`.`patients` ALTER COLUMN `dob` SET MASK `hc_prod`.`silver`.`mdl_mask_date`;
ALTER TABLE `hc_prod`.`silver`.`patients` SET ROW FILTER `hc_prod`.`governance`.`by_datasource` ON (`datasource`);
ALTER TABLE `hc_prod`.`silver`.`patients` ALTER COLUMN `ssn` SET TAGS ('pii' = 'ssn');
ALTER TABLE `hc_prod`.`silver`.`patients` SET TAGS ('domain' = 'revenue-cycle', 'layer' = 'silver');
GRANT MODIFY ON TABLE `hc_prod`.`silver`.`patients` TO `data_engineers`;
GRANT SELECT ON TABLE `hc_prod`.`silver`.`patients` TO `analysts`;
GRANT SELECT ON TABLE `hc_prod`.`silver`.`patients` TO `data_engineers`;
