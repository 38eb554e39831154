select id, name
from "raw"."customers"
