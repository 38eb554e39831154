select * from "raw"."orders"
