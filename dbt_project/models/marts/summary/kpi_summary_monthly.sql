-- The headline KPIs of the "This week" summary per month (or survey wave) × scope: the whole business, each
-- location, each team, where the source mart has that dimension. Every value is computed from the monthly
-- marts' COUNTS summed over the scope, divided last (docs/kpi_definitions.md, "Targets and benchmarks");
-- `n` is the count the value rests on. The catalog below is the one place a headline KPI's label, unit,
-- direction and area are written (macro summary_kpi_catalog); kpi_summary and the dashboard read them here.
--   Employees: workforce marts publish only cells of at least var workforce_min_headcount people; their
--   rolled-up labels ('All', 'Other (small groups)') are never a team or location, so they count in the
--   business total only. eNPS: published (unsuppressed) cells only, per survey wave.
with

catalog as (

    {{ summary_kpi_catalog() }}

),

-- One row per month × scope × scope value × KPI with the summed counts: numerator and denominator.
customer_counts as (

    select 'nps' as kpi, month, location,
        sum(promoters) - sum(detractors) as numerator, sum(responses) as denominator, 100.0 as scale
    from {{ ref('customer_nps_monthly') }} group by all
    union all
    select 'csat_pct', month, location, sum(satisfied_responses), sum(responses), 100.0
    from {{ ref('customer_csat_monthly') }} group by all
    union all
    select 'churn_pct', month, location, sum(lost_from_start), sum(customers_at_start), 100.0
    from {{ ref('customer_retention_monthly') }} group by all
    union all
    select 'aov', month, location, sum(gross_revenue), sum(orders), 1.0
    from {{ ref('customer_orders_monthly') }} group by all
    union all
    select 'fcr_pct', month, location, sum(first_contact_resolved_tickets), sum(resolved_tickets), 100.0
    from {{ ref('customer_support_monthly') }} group by all
    union all
    select 'first_reply_minutes', month, location, sum(first_reply_minutes_sum), sum(replied_tickets), 1.0
    from {{ ref('customer_support_monthly') }} group by all
    union all
    select 'ces_mean', month, location, sum(score_sum), sum(responses), 1.0
    from {{ ref('customer_ces_monthly') }} group by all
    union all
    select 'review_rating', month, location, sum(rating_sum), sum(reviews), 1.0
    from {{ ref('brand_reviews_monthly') }} group by all
    union all
    select 'brand_sentiment', month, location, sum(positive_texts) - sum(negative_texts), sum(scored_texts), 100.0
    from {{ ref('brand_sentiment_monthly') }} group by all

),

-- Counts (mention volume, headcount) are not ratios: the value is the count itself.
volume_counts as (

    select 'mention_volume' as kpi, month, location, null::varchar as team, sum(texts) as value, sum(texts) as n
    from {{ ref('brand_sentiment_monthly') }} where source = 'mention' group by all
    union all
    select 'headcount', month, location, team, sum(headcount_end), sum(employees)
    from {{ ref('employee_headcount_monthly') }} group by all

),

employee_counts as (

    -- Turnover = separations / average headcount (SHRM); n = employees on the books in the month.
    select 'turnover_pct' as kpi, month, location, team,
        sum(separations) as numerator, sum(avg_headcount) as denominator, sum(employees) as n, 100.0 as scale
    from {{ ref('employee_headcount_monthly') }} group by all
    union all
    select 'absence_pct', month, location, team, sum(absence_hours), sum(usual_hours), sum(employees), 100.0
    from {{ ref('employee_absence_monthly') }} group by all

),

not_a_group as (

    -- Labels of rolled-up workforce cells and unknown values: counted in the business total, never named.
    select * from (values ('All'), ('Other (small groups)'), ('Unknown')) as t (label)

),

scoped as (

    select kpi, month, 'business' as scope, 'All' as scope_value,
        sum(numerator) as numerator, sum(denominator) as denominator, sum(denominator) as n, max(scale) as scale
    from customer_counts group by all
    union all
    select kpi, month, 'location', location, sum(numerator), sum(denominator), sum(denominator), max(scale)
    from customer_counts where location is not null and location not in (select label from not_a_group) group by all
    union all
    select kpi, month, 'business', 'All', sum(numerator), sum(denominator), sum(n), max(scale)
    from employee_counts group by all
    union all
    select kpi, month, 'location', location, sum(numerator), sum(denominator), sum(n), max(scale)
    from employee_counts where location is not null and location not in (select label from not_a_group) group by all
    union all
    select kpi, month, 'team', team, sum(numerator), sum(denominator), sum(n), max(scale)
    from employee_counts where team is not null and team not in (select label from not_a_group) group by all

),

ratios as (

    select kpi, month, scope, scope_value,
        case when denominator > 0 then scale * numerator / denominator end as value, n
    from scoped

),

volumes as (

    select kpi, month, 'business' as scope, 'All' as scope_value, sum(value) as value, sum(n) as n
    from volume_counts group by all
    union all
    select kpi, month, 'location', location, sum(value), sum(n)
    from volume_counts where location is not null and location not in (select label from not_a_group) group by all
    union all
    select kpi, month, 'team', team, sum(value), sum(n)
    from volume_counts where team is not null and team not in (select label from not_a_group) group by all

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
        select * from volumes
        union all
        select * from enps
    ) as values_
    inner join catalog on catalog.kpi = values_.kpi

)

select * from final
