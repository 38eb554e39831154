select *
from "marts"."customer_order_totals"
where not (total_amount >= 0)
