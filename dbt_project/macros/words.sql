{# "1 promoter", "3 promoters": a count and its noun, plural agreeing (alert reasons). #}
{% macro counted(count_sql, noun) -%}
    ({{ count_sql }} || ' {{ noun }}' || case when {{ count_sql }} = 1 then '' else 's' end)
{%- endmacro %}
