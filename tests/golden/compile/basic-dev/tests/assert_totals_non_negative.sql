select *
from "marts"."customer_order_totals"
where total_amount < 0
