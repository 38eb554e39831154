BEGIN TRANSACTION;
-- rows: build temp table
CREATE TABLE "silver"."inc__mdl_tmp_r1" AS
SELECT id, name, amount FROM "staging"."src";
-- check: check unique_key (fails with E_DUPLICATE_KEYS)
SELECT "id", count(*) AS __mdl_count
FROM "silver"."inc__mdl_tmp_r1"
GROUP BY "id"
HAVING count(*) > 1
ORDER BY "id"
LIMIT 10;
-- exec: drop previous table
DROP TABLE IF EXISTS "silver"."inc";
-- exec: swap in new table
ALTER TABLE "silver"."inc__mdl_tmp_r1" RENAME TO "inc";
COMMIT;
