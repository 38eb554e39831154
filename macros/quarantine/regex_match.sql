{#-
  Helper for the quarantine rule macros: TRUE when `expr` matches the whole of `pattern`.
  DuckDB spells it regexp_full_match, Spark/Databricks RLIKE with anchors. Patterns must not
  contain backslashes or quotes (string escaping differs between the engines): use [.] for a dot.
-#}
{% macro quarantine__regex_full_match(expr, pattern) -%}
{%- if target is defined and (target.type == 'spark' or target.type == 'databricks') -%}
({{ expr }} RLIKE '^({{ pattern }})$')
{%- else -%}
regexp_full_match({{ expr }}, '{{ pattern }}')
{%- endif -%}
{%- endmacro %}
