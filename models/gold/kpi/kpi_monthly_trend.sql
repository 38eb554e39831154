-- Monthly revenue-cycle trend by service month: charges, payments, denials, open AR.
SELECT
  {{ month_start('service_date') }} AS service_month,
  count(*) AS transactions,
  CAST(sum(charge_amount) AS DECIMAL(18, 2)) AS charges,
  CAST(sum(paid_amount) AS DECIMAL(18, 2)) AS payments,
  sum(CASE WHEN claim_status = 'Denied' THEN 1 ELSE 0 END) AS denied_claims,
  CAST(CASE WHEN sum(CASE WHEN claim_status IN ('Paid', 'Partially Paid', 'Denied') THEN 1 ELSE 0 END) > 0
    THEN 100.0 * sum(CASE WHEN claim_status = 'Denied' THEN 1 ELSE 0 END)
      / sum(CASE WHEN claim_status IN ('Paid', 'Partially Paid', 'Denied') THEN 1 ELSE 0 END) END AS DECIMAL(7, 2)) AS denial_rate_pct,
  CAST(CASE WHEN sum(charge_amount) > 0 THEN 100.0 * sum(paid_amount) / sum(charge_amount) END AS DECIMAL(7, 2)) AS collection_rate_pct,
  CAST(sum(ar_balance) AS DECIMAL(18, 2)) AS ar_balance
FROM {{ ref('fact_transactions') }}
GROUP BY {{ month_start('service_date') }}
