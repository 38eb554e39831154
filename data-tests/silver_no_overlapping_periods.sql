-- SCD2 invariant: versions of one key never overlap (valid_to of one <= valid_from of the next).
{% for t in [['patients', 'patient_key'], ['encounters', 'encounter_key'], ['transactions', 'transaction_key'],
             ['claims', 'claim_key'], ['providers', 'provider_key'], ['cpt_codes', 'cpt_code']] %}
{% if not loop.first %}UNION ALL{% endif %}
SELECT '{{ t[0] }}' AS table_name, a.{{ t[1] }} AS k
FROM {{ ref(t[0]) }} AS a
JOIN {{ ref(t[0]) }} AS b
  ON a.{{ t[1] }} = b.{{ t[1] }} AND a.scd_id <> b.scd_id
 AND a.valid_from < coalesce(b.valid_to, TIMESTAMP '9999-12-31')
 AND b.valid_from < coalesce(a.valid_to, TIMESTAMP '9999-12-31')
{% endfor %}
