-- A code-set description change keeps the code in gold: every code with history in silver
-- that is not quarantined has a current row and appears in its gold dimension.
SELECT h.cpt_code
FROM (SELECT DISTINCT cpt_code FROM {{ ref('cpt_codes') }} WHERE NOT is_quarantined) AS h
LEFT JOIN {{ ref('dim_cpt_code') }} AS d ON d.cpt_code = h.cpt_code
WHERE d.cpt_code IS NULL
  AND EXISTS (SELECT 1 FROM {{ ref('cpt_codes') }} AS c WHERE c.cpt_code = h.cpt_code AND c.is_current)
