WITH __mdl_ephemeral__a AS (
SELECT 1 AS x
),
__mdl_ephemeral__b AS (
SELECT x FROM __mdl_ephemeral__a
)
SELECT * FROM __mdl_ephemeral__b
---
-- c
WITH __mdl_ephemeral__a AS (
SELECT 1 AS x
),
__mdl_ephemeral__b AS (
SELECT x FROM __mdl_ephemeral__a
),
y AS (SELECT 2 AS x) SELECT * FROM y JOIN __mdl_ephemeral__b USING (x)
