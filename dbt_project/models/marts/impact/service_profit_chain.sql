-- The service-profit chain, point by point (docs/impact.md, "The service-profit chain"; D94): each location's
-- published employee indices in a survey wave beside the same location's customer KPIs over the
-- {{ var('service_profit_chain_lag_months') }} months AFTER the wave month (employees first, customers after, so
-- the order in time is right; it is still an association, not a cause). Employee cells come from the published
-- wave marts only (suppressed location cells never appear); customer KPIs are recomputed from their summed counts.
{% set lag = var('service_profit_chain_lag_months') %}
with

employee as (

    select wave, wave_month, group_value as location, dimension as employee_measure, mean_score as employee_value,
        respondents
    from {{ ref('employee_survey_dimension_wave') }}
    where breakdown = 'location' and not suppressed and dimension in ('engagement', 'manager_empathy')

    union all

    select wave, wave_month, group_value, 'enps', enps, responses
    from {{ ref('employee_enps_wave') }}
    where breakdown = 'location' and not suppressed

),

customer_months as (

    select location, month, 'nps' as customer_kpi, sum(promoters) as hits, sum(detractors) as misses,
        sum(responses) as n
    from {{ ref('customer_nps_monthly') }}
    group by all

    union all

    select location, month, 'csat_pct', sum(satisfied_responses), 0, sum(responses)
    from {{ ref('customer_csat_monthly') }}
    group by all

    union all

    select location, month, 'churn_rate', sum(lost_from_start), 0, sum(customers_at_start)
    from {{ ref('customer_retention_monthly') }}
    group by all

),

following as (

    select
        e.*,
        c.customer_kpi,
        sum(c.hits) as hits,
        sum(c.misses) as misses,
        cast(sum(c.n) as bigint) as customer_n
    from employee as e
    inner join customer_months as c
        on c.location = e.location
        and c.month > e.wave_month
        and c.month <= e.wave_month + interval '{{ lag }} months'
    group by all

),

final as (

    select
        location,
        wave,
        wave_month,
        employee_measure,
        employee_value,
        respondents,
        customer_kpi,
        case when customer_kpi = 'nps' then 100.0::double * (hits - misses) / customer_n
            else 100.0::double * hits / customer_n end as customer_value,
        customer_n,
        {{ lag }} as lag_months
    from following
    where customer_n > 0 and employee_value is not null

)

select * from final
