select *
from `basic_cat`.`marts`.`customer_order_totals`
where total_amount < 0
