-- Gold keeps every current, non-quarantined silver transaction exactly once (a gold table that
-- truncates and never inserts, or a join that drops rows, fails here).
SELECT 'count mismatch' AS problem
FROM (SELECT count(*) AS n FROM {{ ref('transactions') }} WHERE is_current AND NOT is_quarantined) AS s
CROSS JOIN (SELECT count(*) AS n FROM {{ ref('fact_transactions') }}) AS g
WHERE s.n <> g.n
