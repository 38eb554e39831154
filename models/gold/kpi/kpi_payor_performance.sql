-- Denial rate (denied / adjudicated claims) and collection rate (paid / charged on adjudicated
-- claims) by payor.
WITH f AS (SELECT * FROM {{ ref('fact_transactions') }} WHERE claim_status IS NOT NULL)
SELECT
  p.payor_id,
  p.payor_name,
  p.payor_type,
  count(f.transaction_key) AS claims,
  sum(CASE WHEN f.claim_status <> 'Pending' THEN 1 ELSE 0 END) AS adjudicated_claims,
  sum(CASE WHEN f.claim_status = 'Denied' THEN 1 ELSE 0 END) AS denied_claims,
  CAST(coalesce(sum(f.charge_amount), 0) AS DECIMAL(18, 2)) AS charges,
  CAST(coalesce(sum(f.paid_amount), 0) AS DECIMAL(18, 2)) AS payments,
  CAST(CASE WHEN sum(CASE WHEN f.claim_status <> 'Pending' THEN 1 ELSE 0 END) > 0
    THEN 100.0 * sum(CASE WHEN f.claim_status = 'Denied' THEN 1 ELSE 0 END)
      / sum(CASE WHEN f.claim_status <> 'Pending' THEN 1 ELSE 0 END) END AS DECIMAL(7, 2)) AS denial_rate_pct,
  CAST(CASE WHEN sum(CASE WHEN f.claim_status <> 'Pending' THEN f.charge_amount ELSE 0 END) > 0
    THEN 100.0 * sum(CASE WHEN f.claim_status <> 'Pending' THEN f.paid_amount ELSE 0 END)
      / sum(CASE WHEN f.claim_status <> 'Pending' THEN f.charge_amount ELSE 0 END) END AS DECIMAL(7, 2)) AS collection_rate_pct
FROM {{ ref('dim_payor') }} AS p
LEFT JOIN f ON f.payor_id = p.payor_id
GROUP BY p.payor_id, p.payor_name, p.payor_type
