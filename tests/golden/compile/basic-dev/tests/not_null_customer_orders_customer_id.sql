select customer_id
from "marts"."customer_order_totals"
where customer_id is null
