select total_amount
from "marts"."customer_order_totals"
where total_amount <= 0
