BEGIN TRANSACTION;
-- exec: stage new batch
CREATE TABLE "silver"."inc__mdl_batch_r1" AS
SELECT id, name, amount FROM "staging"."src";
-- check: check unique_key (fails with E_DUPLICATE_KEYS)
SELECT "id", count(*) AS __mdl_count
FROM "silver"."inc__mdl_batch_r1"
GROUP BY "id"
HAVING count(*) > 1
ORDER BY "id"
LIMIT 10;
-- exec: delete matching keys
DELETE FROM "silver"."inc" AS t
WHERE EXISTS (SELECT 1 FROM "silver"."inc__mdl_batch_r1" AS s WHERE t."id" IS NOT DISTINCT FROM s."id");
-- rows: insert
INSERT INTO "silver"."inc" ("id", "name", "amount")
SELECT "id", "name", "amount" FROM (
SELECT * FROM "silver"."inc__mdl_batch_r1"
) AS __mdl_src;
-- exec: drop staged batch
DROP TABLE IF EXISTS "silver"."inc__mdl_batch_r1";
COMMIT;
