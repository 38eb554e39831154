select id, customer_id, amount, status
from "staging"."stg_orders"

-- when is_incremental():
select id, customer_id, amount, status
from "staging"."stg_orders"

where id > (select coalesce(max(id), 0) from "marts"."orders_incremental")
