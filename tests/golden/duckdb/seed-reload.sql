BEGIN TRANSACTION;
-- exec: delete previous rows
DELETE FROM "main"."cpt";
-- rows: insert rows
INSERT INTO "main"."cpt" ("code", "descr")
SELECT "code", "descr" FROM (
SELECT * FROM read_csv('/p/seeds/cpt.csv', header = true, delim = ',', quote = '"', escape = '"', strict_mode = true, types = {'code': 'VARCHAR'})
) AS __mdl_src;
COMMIT;
