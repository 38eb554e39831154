-- exec: drop previous table
DROP TABLE IF EXISTS `silver`.`v`;
-- exec: create view
CREATE OR REPLACE VIEW `silver`.`v` AS
SELECT id, name, amount FROM `staging`.`src`;
