{#- The headline KPIs of the "This week" summary (marts.kpi_summary_monthly, marts.kpi_summary): the one place
    each one's area, label, unit, direction (NULL: a count with no better direction), the noun of its n, the
    decimals it is shown with, its order on the page and its measure are written: 'ratio' (a share or mean of
    its n, which a small n makes unreliable) or 'count' (the n itself: headcount, mentions). -#}
{% macro summary_kpi_catalog() -%}
    select * from (values
    ('Customers', 'nps', 'NPS', 'pts', true, 'answers', 1, 10, 'ratio'),
    ('Customers', 'csat_pct', 'CSAT (top-2-box)', '%', true, 'answers', 1, 20, 'ratio'),
    ('Customers', 'churn_pct', 'Churn', '%', false, 'customers', 1, 30, 'ratio'),
    ('Customers', 'aov', 'Average order value', 'money', true, 'orders', 2, 40, 'ratio'),
    ('Support', 'fcr_pct', 'First contact resolution', '%', true, 'resolved tickets', 1, 50, 'ratio'),
    ('Support', 'first_reply_minutes', 'First reply time', 'min', false, 'replied tickets', 0, 60, 'ratio'),
    ('Support', 'ces_mean', 'Customer effort (CES, 1-7)', '', true, 'answers', 2, 70, 'ratio'),
    ('Employees', 'turnover_pct', 'Staff turnover', '%', false, 'employees', 1, 80, 'ratio'),
    ('Employees', 'headcount', 'Headcount', '', null, 'employees', 0, 90, 'count'),
    ('Employees', 'enps', 'eNPS', 'pts', true, 'answers', 1, 100, 'ratio'),
    ('Employees', 'absence_pct', 'Absence (lost work time)', '%', false, 'employees', 1, 110, 'ratio'),
    ('Brand', 'review_rating', 'Average review rating (1-5)', '', true, 'reviews', 2, 120, 'ratio'),
    ('Brand', 'brand_sentiment', 'Brand sentiment', 'pts', true, 'scored texts', 1, 130, 'ratio'),
    ('Brand', 'mention_volume', 'Mentions', '', null, 'mentions', 0, 140, 'count')
) as t (area, kpi, kpi_label, unit, higher_is_better, n_noun, decimals, sort_order, measure)
{%- endmacro %}

{#- A KPI against its target (seed kpi_targets), direction-aware: 'on target' at or beyond it, 'close to
    target' within close_margin short of it, else 'off target'; NULL without a value, a target or a direction
    (docs/kpi_definitions.md, "Targets and benchmarks (s12)"). -#}
{% macro target_status(value, target, margin, higher_is_better) -%}
    case
        when {{ value }} is null or {{ target }} is null or {{ higher_is_better }} is null then null
        when {{ higher_is_better }} and {{ value }} >= {{ target }} then 'on target'
        when not {{ higher_is_better }} and {{ value }} <= {{ target }} then 'on target'
        when {{ higher_is_better }} and {{ value }} >= {{ target }} - {{ margin }} then 'close to target'
        when not {{ higher_is_better }} and {{ value }} <= {{ target }} + {{ margin }} then 'close to target'
        else 'off target'
    end
{%- endmacro %}
