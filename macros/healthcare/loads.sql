{#-
  Rows of the newest load per datasource of a Full-load bronze table. Full loads are complete
  copies, so older loads must not be unioned in (a row deleted at the source would live on).
-#}
{% macro latest_full_load(relation) -%}
SELECT __b.*
FROM {{ relation }} AS __b
JOIN (
  SELECT datasource AS __ds, max(_load_id) AS __max_load
  FROM {{ relation }}
  GROUP BY datasource
) AS __l ON __b.datasource = __l.__ds AND __b._load_id = __l.__max_load
{%- endmacro %}

{#- The newest load of a code-set table (one full file per load, no datasource). -#}
{% macro latest_file_load(relation) -%}
SELECT * FROM {{ relation }}
WHERE _load_id = (SELECT max(_load_id) FROM {{ relation }})
{%- endmacro %}
