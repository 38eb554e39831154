with __mdl_ephemeral__stg_customers as (
select id, name
from "raw"."customers"
),
__mdl_ephemeral__int_customers as (
select id, upper(name) as name
from __mdl_ephemeral__stg_customers
)
select
    c.id as customer_id,
    c.name,
    sum(o.amount) as total_amount
from "staging"."stg_orders" o
join __mdl_ephemeral__int_customers c on c.id = o.customer_id
where o.amount >= 0
  and o.status <> 'void'
group by 1, 2
