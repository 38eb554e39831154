-- Accounts receivable by aging bucket (0–30, 31–60, 61–90, 90+ days since service), all buckets
-- listed even when empty.
WITH ar AS (
  SELECT aging_bucket, count(*) AS open_items, sum(ar_balance) AS ar_amount
  FROM {{ ref('fact_transactions') }}
  WHERE ar_balance > 0
  GROUP BY aging_bucket
),
total AS (SELECT sum(ar_amount) AS total_ar FROM ar)
SELECT
  b.bucket_name AS aging_bucket,
  b.sort_order,
  coalesce(ar.open_items, 0) AS open_items,
  CAST(coalesce(ar.ar_amount, 0) AS DECIMAL(18, 2)) AS ar_amount,
  CAST(CASE WHEN total.total_ar > 0 THEN 100.0 * coalesce(ar.ar_amount, 0) / total.total_ar ELSE 0 END AS DECIMAL(7, 2)) AS pct_of_ar
FROM {{ ref('ar_aging_buckets') }} AS b
LEFT JOIN ar ON ar.aging_bucket = b.bucket_name
CROSS JOIN total
