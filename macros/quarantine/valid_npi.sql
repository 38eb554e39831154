{#-
  Quarantine rule `valid_npi: <column>` — TRUE (bad row) when the column holds a value that is not
  a valid NPI: exactly 10 digits whose last digit is the Luhn check digit computed over the
  `80840` prefix followed by the first 9 digits (the 80840 prefix contributes a constant 24).
  NULL is not flagged (combine with not_null). Portable: digits are read with instr/substr, so a
  malformed value can never raise a cast error, on DuckDB or Spark.
-#}
{% macro quarantine_valid_npi(column) -%}
{%- set s = "trim(CAST(" ~ column ~ " AS STRING))" -%}
({{ column }} IS NOT NULL AND NOT (
  length({{ s }}) = 10
  AND translate({{ s }}, '0123456789', '') = ''
  AND (24
  {%- for i in range(1, 10) %}
    {%- if i % 2 == 1 %}
    + (instr('0123456789', substr('0246813579', instr('0123456789', substr({{ s }}, {{ i }}, 1)), 1)) - 1)
    {%- else %}
    + (instr('0123456789', substr({{ s }}, {{ i }}, 1)) - 1)
    {%- endif %}
  {%- endfor %}
    + (instr('0123456789', substr({{ s }}, 10, 1)) - 1)) % 10 = 0
))
{%- endmacro %}
