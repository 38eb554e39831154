-- exec: create view
CREATE OR REPLACE VIEW `hc_prod`.`silver`.`v` AS
SELECT id, name, amount FROM `hc_prod`.`staging`.`src`;
