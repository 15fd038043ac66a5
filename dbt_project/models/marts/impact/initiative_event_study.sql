-- Effect by month relative to the start (0 = the first treated month) of each initiative × KPI: the
-- Callaway & Sant'Anna event-study aggregation with its pointwise 95 % interval (docs/impact.md, D83).
-- Months before the start (is_pre) should hover around 0; the joint test of that is pretrend_p_value in
-- marts.initiative_effects.
with

estimates as (
    select * from {{ ref('int_initiative_estimates') }}
    where row_kind = 'event'
),

final as (
    select
        initiative_id::varchar as initiative_id,
        kpi::varchar as kpi,
        unit_type::varchar as unit_type,
        relative_month::integer as relative_month,
        event_estimate::double as estimate,
        event_ci_low::double as ci_low,
        event_ci_high::double as ci_high,
        event_n_obs::integer as n_obs,
        is_pre::boolean as is_pre
    from estimates
)

select * from final
