select
    id,
    customer_id,
    (amount_cents / 100.0) as amount,
    status
from `basic_cat`.`raw`.`orders`
