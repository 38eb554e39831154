select customer_id
from `basic_cat`.`marts`.`customer_order_totals`
where customer_id is null
