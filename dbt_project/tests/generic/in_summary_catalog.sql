{#- Every value of the column is a KPI of the "This week" summary (macro summary_kpi_catalog), whether or not the
    data has any rows for it yet: a target or benchmark for a KPI the summary does not know would never show. -#}
{% test in_summary_catalog(model, column_name) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} not in (select kpi from ({{ summary_kpi_catalog() }}) as catalog)
{% endtest %}
