select * from `basic_cat`.`raw`.`orders`
