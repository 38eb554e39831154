select id
from "raw"."orders"
where id is null
