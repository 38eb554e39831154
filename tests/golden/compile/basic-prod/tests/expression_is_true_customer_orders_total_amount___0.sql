select *
from `basic_cat`.`marts`.`customer_order_totals`
where not (total_amount >= 0)
