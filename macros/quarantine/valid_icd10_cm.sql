{#-
  Quarantine rule `valid_icd10_cm: <column>` — TRUE (bad row) when the value does not have the
  shape of an ICD-10-CM code: a letter other than U, a digit, a digit or letter, then optionally
  a dot (or not) and 1–4 more digits/letters (e.g. E11, E11.9, S72.001A, Z3A10). Case and outer
  spaces are ignored. NULL is not flagged.
-#}
{% macro quarantine_valid_icd10_cm(column) -%}
({{ column }} IS NOT NULL AND NOT {{ quarantine__regex_full_match("upper(trim(CAST(" ~ column ~ " AS STRING)))", "[A-TV-Z][0-9][0-9A-Z]([.]?[0-9A-Z]{1,4})?") }})
{%- endmacro %}
