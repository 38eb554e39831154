{#- Whole days from `start_date` to `end_date` (positive when end is later), per engine. -#}
{% macro days_between(start_date, end_date) -%}
{%- if target is defined and (target.type == 'spark' or target.type == 'databricks') -%}
datediff(CAST({{ end_date }} AS DATE), CAST({{ start_date }} AS DATE))
{%- else -%}
date_diff('day', CAST({{ start_date }} AS DATE), CAST({{ end_date }} AS DATE))
{%- endif -%}
{%- endmacro %}

{#- First day of the month of a date, per engine. -#}
{% macro month_start(d) -%}
{%- if target is defined and (target.type == 'spark' or target.type == 'databricks') -%}
CAST(trunc(CAST({{ d }} AS DATE), 'MM') AS DATE)
{%- else -%}
CAST(date_trunc('month', CAST({{ d }} AS DATE)) AS DATE)
{%- endif -%}
{%- endmacro %}

{#-
  The as-of date of AR aging: the `as_of_date` var when set (e.g. --vars '{as_of_date: 2024-07-31}'),
  else the latest service or claim date present in the fact — so results are deterministic and
  never depend on the wall clock. `fact` is the relation holding service_date / claim_date.
-#}
{% macro as_of_date(fact) -%}
{%- set v = var('as_of_date', '') -%}
{%- if v -%}
CAST({{ v | sqlstring }} AS DATE)
{%- else -%}
(SELECT CAST(greatest(max(service_date), coalesce(max(claim_date), max(service_date))) AS DATE) FROM {{ fact }})
{%- endif -%}
{%- endmacro %}
