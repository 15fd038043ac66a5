{#- GENERATED from streamlit_app/kpi_catalog.py (the one list of the summary's headline KPIs, D302): change
    the list there and run `uv run python -m streamlit_app.kpi_catalog`; never edit this file by hand.
    Each KPI's area, label, unit, direction (NULL: a count with no better direction), the noun of its n,
    decimals, order on the page and measure ('ratio' or 'count'), for marts.kpi_summary(_monthly). -#}
{% macro summary_kpi_catalog() -%}
    select * from (values
    ('Customers', 'nps', 'NPS', 'pts', true, 'answers', 1, 10, 'ratio'),
    ('Customers', 'csat_pct', 'CSAT %', '%', true, 'answers', 1, 20, 'ratio'),
    ('Customers', 'churn_pct', 'Churn %', '%', false, 'customers', 1, 30, 'ratio'),
    ('Customers', 'aov', 'AOV', 'money', true, 'orders', 2, 40, 'ratio'),
    ('Support', 'fcr_pct', 'FCR %', '%', true, 'resolved tickets', 1, 50, 'ratio'),
    ('Support', 'first_reply_minutes', 'First reply time', 'min', false, 'replied tickets', 1, 60, 'ratio'),
    ('Support', 'ces_mean', 'CES mean', '', true, 'answers', 2, 70, 'ratio'),
    ('Employees', 'turnover_pct', 'Turnover %', '%', false, 'staff in the month', 1, 80, 'ratio'),
    ('Employees', 'headcount', 'Headcount', '', null, 'staff at month end', 0, 90, 'count'),
    ('Employees', 'enps', 'eNPS', 'pts', true, 'answers', 1, 100, 'ratio'),
    ('Employees', 'absence_pct', 'Lost worktime %', '%', false, 'staff in the month', 1, 110, 'ratio'),
    ('Brand', 'review_rating', 'Mean rating', '', true, 'reviews', 2, 120, 'ratio'),
    ('Brand', 'brand_sentiment', 'Brand sentiment', 'pts', true, 'scored texts', 1, 130, 'ratio'),
    ('Brand', 'mention_volume', 'Mentions', '', null, 'mentions', 0, 140, 'count')
) as t (area, kpi, kpi_label, unit, higher_is_better, n_noun, decimals, sort_order, measure)
{%- endmacro %}
