SELECT count(*) AS failures FROM (
SELECT * FROM (
SELECT id FROM "silver"."t" WHERE id IS NULL
) AS __mdl_failing
LIMIT 100
) AS __mdl_test;
