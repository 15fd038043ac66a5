{#- Rows where a boolean SQL expression does not hold (e.g. counts that must add up). On a column, a NULL
    value passes (a ratio with a zero denominator is NULL by design; not_null tests nullness). -#}
{% test expression_is_true(model, expression, column_name=none) %}
select * from {{ model }}
where not coalesce(({{ expression }}), false)
{%- if column_name %} and {{ column_name }} is not null{% endif %}
{% endtest %}
