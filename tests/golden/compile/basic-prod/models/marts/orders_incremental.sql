select id, customer_id, amount, status
from `basic_cat`.`staging`.`stg_orders`

-- when is_incremental():
select id, customer_id, amount, status
from `basic_cat`.`staging`.`stg_orders`

where id > (select coalesce(max(id), 0) from `basic_cat`.`marts`.`orders_incremental`)
