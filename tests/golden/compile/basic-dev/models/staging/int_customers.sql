with __mdl_ephemeral__stg_customers as (
select id, name
from "raw"."customers"
)
select id, upper(name) as name
from __mdl_ephemeral__stg_customers
