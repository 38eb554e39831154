with __mdl_ephemeral__stg_customers as (
select id, name
from `basic_cat`.`raw`.`customers`
),
child as (
    select customer_id as from_field
    from (select * from `basic_cat`.`staging`.`stg_orders` where status <> 'void') mdl_subquery
    where customer_id is not null
),
parent as (
    select id as to_field
    from __mdl_ephemeral__stg_customers
)
select from_field
from child
left join parent on child.from_field = parent.to_field
where parent.to_field is null
