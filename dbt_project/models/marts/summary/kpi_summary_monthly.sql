-- The headline KPIs of the "This week" summary per month (or survey wave) × scope: the whole business, each
-- location, each team, where the source mart has that dimension. Every value is computed from the monthly
-- marts' COUNTS summed over the scope, divided last (docs/kpi_definitions.md, "Targets and benchmarks");
-- `n` is the count the value rests on. The catalog below is the one place a headline KPI's label, unit,
-- direction and area are written (macro summary_kpi_catalog); kpi_summary and the dashboard read them here.
--   Employees: workforce marts publish only cells of at least var workforce_min_headcount people; their
--   rolled-up labels ('All', 'Other (small groups)') are never a team or location, so they count in the
--   business total only. They roll small teams up with their location as the lowest level, so a location's
--   sum would miss its people in small teams (Leeds 39 -> 9): headcount, turnover and absence have the
--   business and team scopes only, no location.
--   Churn and turnover from a snapshot export (kpi_snapshot_sources) have no monthly value (NULL, no data). eNPS: published (unsuppressed) cells only, per survey wave.
with

catalog as (

    {{ summary_kpi_catalog() }}

),

-- Each monthly KPI from its mart: kpi, mart, numerator, denominator (none: a count, the value is the numerator),
-- n, scale, whether the mart has a team, and a filter. Turnover = separations / average headcount (SHRM).
-- Absence: an HR extract without any absence records (the IBM sample) gives no data, not 0 %.
{%- set sources = [
    ('nps', 'customer_nps_monthly', 'sum(promoters) - sum(detractors)', 'sum(responses)', 'sum(responses)', 100, false, none),
    ('csat_pct', 'customer_csat_monthly', 'sum(satisfied_responses)', 'sum(responses)', 'sum(responses)', 100, false, none),
    ('churn_pct', 'customer_retention_monthly', 'sum(lost_from_start)', 'sum(customers_at_start)', 'sum(customers_at_start)', 100, false, none),
    ('aov', 'customer_orders_monthly', 'sum(gross_revenue)', 'sum(orders)', 'sum(orders)', 1, false, none),
    ('fcr_pct', 'customer_support_monthly', 'sum(first_contact_resolved_tickets)', 'sum(resolved_tickets)', 'sum(resolved_tickets)', 100, false, none),
    ('first_reply_minutes', 'customer_support_monthly', 'sum(first_reply_minutes_sum)', 'sum(replied_tickets)', 'sum(replied_tickets)', 1, false, none),
    ('ces_mean', 'customer_ces_monthly', 'sum(score_sum)', 'sum(responses)', 'sum(responses)', 1, false, none),
    ('review_rating', 'brand_reviews_monthly', 'sum(rating_sum)', 'sum(reviews)', 'sum(reviews)', 1, false, none),
    ('brand_sentiment', 'brand_sentiment_monthly', 'sum(positive_texts) - sum(negative_texts)', 'sum(scored_texts)', 'sum(scored_texts)', 100, false, none),
    ('mention_volume', 'brand_sentiment_monthly', 'sum(texts)', none, 'sum(texts)', none, false, "source = 'mention'"),
    ('turnover_pct', 'employee_headcount_monthly', 'sum(separations)', 'sum(avg_headcount)', 'sum(employees)', 100, true, none),
    ('headcount', 'employee_headcount_monthly', 'sum(headcount_end)', none, 'sum(headcount_end)', none, true, none),
    ('absence_pct', 'employee_absence_monthly', 'sum(absence_hours)',
        'case when (select sum(absence_spells) from ' ~ ref('employee_absence_monthly') ~ ') > 0 then sum(usual_hours) end',
        'sum(employees)', 100, true, none),
] %}

-- One row per month × location × team × KPI with the summed counts: numerator, denominator and n. Workforce
-- marts (those with a team) give no location: their location sums are partial (see the top).
counts as (

    {%- for kpi, model, numerator, denominator, n, scale, has_team, filter in sources %}
    {% if not loop.first %}union all{% endif %}
    select
        '{{ kpi }}' as kpi, month,
        {{ 'null::string' if has_team else 'location' }} as location,
        {{ 'team' if has_team else 'null::string' }} as team,
        ({{ numerator }})::double as numerator, ({{ denominator or 'null' }})::double as denominator,
        {{ n }} as n, {{ scale or 'null' }}::double as scale
    from {{ ref(model) }}
    {% if filter %}where {{ filter }}{% endif %}
    group by all
    {%- endfor %}

),

not_a_group as (

    -- Labels of rolled-up workforce cells and unknown values: counted in the business total, never named.
    select * from (values ('All'), ('Other (small groups)'), ('Unknown')) as t (label)

),

-- The counts summed over each scope; a location or team is only ever a real one (never a roll-up label).
scoped as (

    {%- for scope, column in [('business', none), ('location', 'location'), ('team', 'team')] %}
    {% if not loop.first %}union all{% endif %}
    select
        kpi, month, '{{ scope }}' as scope, {{ column or "'All'" }} as scope_value,
        sum(numerator) as numerator, sum(denominator) as denominator, sum(n) as n, max(scale) as scale
    from counts
    {% if column %}where {{ column }} is not null and {{ column }} not in (select label from not_a_group){% endif %}
    group by all
    {%- endfor %}

),

ratios as (

    -- A count's value is the count; a ratio is divided last, NULL (no data) when its denominator is 0 or its
    -- source is a snapshot export.
    select kpi, month, scope, scope_value,
        case
            when kpi in (select kpi from {{ ref('kpi_snapshot_sources') }} where is_snapshot) then null
            when scale is null then numerator
            when denominator > 0 then scale * numerator / denominator
        end as value,
        n
    from scoped

),

-- eNPS per survey wave from the published cells only; a suppressed group has no row here (never named).
enps as (

    select 'enps' as kpi, wave_month as month,
        case breakdown when 'org' then 'business' else breakdown end as scope,
        group_value as scope_value,
        {{ nps_from_counts('sum(promoters)', 'sum(detractors)', 'sum(responses)') }} as value,
        sum(responses) as n
    from {{ ref('employee_enps_wave') }}
    where not suppressed
        and (breakdown = 'org'
             or (breakdown in ('location', 'team') and group_value not in (select label from not_a_group)))
    group by all

),

final as (

    select
        catalog.area, values_.kpi, catalog.kpi_label, catalog.unit, catalog.higher_is_better,
        values_.scope, values_.scope_value, values_.month,
        case when values_.kpi = 'enps' then 'wave' else 'month' end as cadence,
        values_.value::double as value, coalesce(values_.n, 0)::bigint as n,
        catalog.n_noun, catalog.decimals, catalog.sort_order, catalog.measure
    from (
        select * from ratios
        union all
        select * from enps
    ) as values_
    inner join catalog on catalog.kpi = values_.kpi

)

select * from final
