{#-
  Silver surrogate key `<source id>-<datasource>` (DESIGN.md §4). NULL when the source id is
  NULL (`||` propagates NULL on every engine, unlike concat() on DuckDB), so a missing id never
  turns into a plausible-looking key.
-#}
{% macro surrogate_key(id_column, datasource_column='datasource') -%}
(CAST({{ id_column }} AS STRING) || '-' || {{ datasource_column }})
{%- endmacro %}

{#- The value, or NULL when it is NULL, empty or the literal string 'null' (any case). -#}
{% macro clean_text(column) -%}
CASE WHEN lower(trim(CAST({{ column }} AS STRING))) IN ('null', '') THEN NULL ELSE trim(CAST({{ column }} AS STRING)) END
{%- endmacro %}

{#- TRUE when the value is NULL, empty or the literal string 'null' — for quarantine rules. -#}
{% macro is_missing(column) -%}
({{ column }} IS NULL OR lower(trim(CAST({{ column }} AS STRING))) IN ('null', ''))
{%- endmacro %}
