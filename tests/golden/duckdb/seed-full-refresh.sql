BEGIN TRANSACTION;
-- rows: build temp table
CREATE TABLE "main"."cpt__mdl_tmp_r1" AS
SELECT * FROM read_csv('/p/seeds/cpt.csv', header = true, delim = ',', quote = '"', escape = '"', strict_mode = true, types = {'code': 'VARCHAR'});
-- exec: drop previous table
DROP TABLE IF EXISTS "main"."cpt";
-- exec: swap in new table
ALTER TABLE "main"."cpt__mdl_tmp_r1" RENAME TO "cpt";
COMMIT;
