-- The finer grain under int_impact_panel where the data has one (docs/impact.md, D86): customer survey KPIs
-- per location × month × customer segment × acquisition channel × touchpoint, with the same formulas. The
-- 'regression' method compares treated and comparison locations within these cells (their fixed effects
-- beside unit and month, weighted by n), so a shift in who answered cannot pass for an effect.
with

csat as (
    select 'location' as unit_type, location as unit, month, 'csat_pct' as kpi, segment, channel, touchpoint,
        {{ pct('sum(satisfied_responses)', 'sum(responses)') }} as value, sum(responses) as n
    from {{ ref('customer_csat_monthly') }}
    group by all
),

nps as (
    -- Aliases spelled out: Spark names an unaliased literal after its text ('location'), which then collides with
    -- the column of that name when grouping by all.
    select 'location' as unit_type, location as unit, month, 'nps' as kpi, segment, channel, touchpoint,
        {{ nps_from_counts('sum(promoters)', 'sum(detractors)', 'sum(responses)') }} as value, sum(responses) as n
    from {{ ref('customer_nps_monthly') }}
    group by all
),

ces as (
    select 'location' as unit_type, location as unit, month, 'ces_mean' as kpi, segment, 'All' as channel,
        'All' as touchpoint, {{ ratio('sum(score_sum)', 'sum(responses)') }} as value, sum(responses) as n
    from {{ ref('customer_ces_monthly') }}
    group by all
),

unioned as (
    select * from csat
    union all select * from nps
    union all select * from ces
),

final as (
    select
        unit_type,
        cast(unit as {{ dbt.type_string() }}) as unit,
        date_trunc('month', month)::date as month,
        kpi,
        coalesce(segment, 'Unknown') as segment,
        coalesce(channel, 'Unknown') as channel,
        coalesce(touchpoint, 'Unknown') as touchpoint,
        value::double as value,
        n::double as n
    from unioned
    where value is not null and unit is not null and unit not in ('Unknown', 'All')
)

select * from final
