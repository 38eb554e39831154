-- The aging buckets add up to the total open AR of the summary.
SELECT 'buckets do not add up' AS problem
FROM (SELECT sum(ar_amount) AS b FROM {{ ref('kpi_ar_aging') }}) AS a
CROSS JOIN {{ ref('kpi_ar_summary') }} AS s
WHERE abs(a.b - s.total_ar) > 0.01
