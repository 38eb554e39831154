select id
from `basic_cat`.`raw`.`orders`
where id is null
