-- Effect by month relative to the start (0 = the first treated month) of each initiative × KPI: the
-- event-study effect with its pointwise 95 % interval, relative to the month before the start (docs/impact.md).
-- Months before the start (is_pre) should hover around 0; the joint test of that is pretrend_p_value in
-- marts.initiative_effects.
with

estimates as (
    select * from {{ ref('int_initiative_estimates') }}
    where row_kind = 'event'
),

final as (
    select
        initiative_id::string as initiative_id,
        kpi::string as kpi,
        unit_type::string as unit_type,
        relative_month::integer as relative_month,
        case when {{ is_finite('event_estimate::double') }} then event_estimate::double end as estimate,
        case when {{ is_finite('event_ci_low::double') }} then event_ci_low::double end as ci_low,
        case when {{ is_finite('event_ci_high::double') }} then event_ci_high::double end as ci_high,
        event_n_obs::integer as n_obs,
        is_pre::boolean as is_pre
    from estimates
)

select * from final
