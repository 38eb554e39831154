{#-
  Date plausibility rules (TRUE = bad row; NULLs are not flagged, combine with not_null):
  - `plausible_dob: <column>`: the date of birth is in the future;
  - `service_before_paid: {service_date: <col>, paid_date: <col>}`: the claim/transaction was
    paid before the service was provided (only checked when paid, i.e. paid_date is not NULL).
-#}
{% macro quarantine_plausible_dob(column) -%}
({{ column }} IS NOT NULL AND CAST({{ column }} AS DATE) > current_date)
{%- endmacro %}

{% macro quarantine_service_before_paid(service_date, paid_date) -%}
({{ service_date }} IS NOT NULL AND {{ paid_date }} IS NOT NULL AND CAST({{ service_date }} AS DATE) > CAST({{ paid_date }} AS DATE))
{%- endmacro %}
