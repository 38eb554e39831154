{#-
  Quarantine rule `valid_cpt_hcpcs: <column>` — TRUE (bad row) when the value is neither a CPT
  code (5 digits, or 4 digits followed by F/T/U for Category II/III and PLA codes) nor a HCPCS
  Level II code (a letter A–V and 4 digits, e.g. J1100). Case and outer spaces are ignored; an
  integer column is read as its decimal text. NULL is not flagged.
-#}
{% macro quarantine_valid_cpt_hcpcs(column) -%}
({{ column }} IS NOT NULL AND NOT {{ quarantine__regex_full_match("upper(trim(CAST(" ~ column ~ " AS STRING)))", "[0-9]{4}[0-9FTU]|[A-V][0-9]{4}") }})
{%- endmacro %}
