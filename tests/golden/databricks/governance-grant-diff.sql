SHOW GRANTS ON TABLE `hc_prod`.`silver`.`patients`;
REVOKE MODIFY ON TABLE `hc_prod`.`silver`.`patients` FROM `data_engineers`;
REVOKE SELECT ON TABLE `hc_prod`.`silver`.`patients` FROM `data_engineers`;
