-- Headline AR figures: total open AR, days in AR (open AR / average daily charges of the last
-- 90 days) and the share of AR older than 90 days.
WITH f AS (SELECT * FROM {{ ref('fact_transactions') }}),
agg AS (
  SELECT
    max(as_of_date) AS as_of_date,
    sum(ar_balance) AS total_ar,
    sum(CASE WHEN aging_bucket = '90+' THEN ar_balance ELSE 0 END) AS ar_over_90,
    sum(CASE WHEN aging_days BETWEEN 0 AND 89 THEN charge_amount ELSE 0 END) AS charges_last_90_days,
    sum(CASE WHEN ar_balance > 0 THEN 1 ELSE 0 END) AS open_items
  FROM f
)
SELECT
  as_of_date,
  open_items,
  CAST(total_ar AS DECIMAL(18, 2)) AS total_ar,
  CAST(charges_last_90_days / 90.0 AS DECIMAL(18, 2)) AS avg_daily_charges,
  CAST(CASE WHEN charges_last_90_days > 0 THEN total_ar / (charges_last_90_days / 90.0) END AS DECIMAL(10, 1)) AS days_in_ar,
  CAST(CASE WHEN total_ar > 0 THEN 100.0 * ar_over_90 / total_ar ELSE 0 END AS DECIMAL(7, 2)) AS pct_ar_over_90
FROM agg
