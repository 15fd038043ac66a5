{#- Rows where a boolean SQL expression does not hold (e.g. counts that must add up). -#}
{% test expression_is_true(model, expression, column_name=none) %}
select * from {{ model }} where not coalesce(({{ expression }}), false)
{% endtest %}
