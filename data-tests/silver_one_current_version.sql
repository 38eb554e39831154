-- SCD2 invariant: at most one current version per key in every silver history table.
{% for t in [['patients', 'patient_key'], ['providers', 'provider_key'], ['departments', 'dept_key'],
             ['encounters', 'encounter_key'], ['transactions', 'transaction_key'], ['claims', 'claim_key'],
             ['cpt_codes', 'cpt_code'], ['icd_codes', 'icd_code'], ['npi', 'npi_text']] %}
{% if not loop.first %}UNION ALL{% endif %}
SELECT '{{ t[0] }}' AS table_name, count(*) AS current_versions
FROM {{ ref(t[0]) }}
WHERE is_current
GROUP BY {{ t[1] }}
HAVING count(*) > 1
{% endfor %}
