BEGIN TRANSACTION;
-- rows: build temp table
CREATE TABLE "silver"."t__mdl_tmp_r1" AS
SELECT id, name, amount FROM "staging"."src";
-- exec: drop previous table
DROP TABLE IF EXISTS "silver"."t";
-- exec: swap in new table
ALTER TABLE "silver"."t__mdl_tmp_r1" RENAME TO "t";
COMMIT;
