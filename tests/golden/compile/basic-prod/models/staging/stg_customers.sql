select id, name
from `basic_cat`.`raw`.`customers`
