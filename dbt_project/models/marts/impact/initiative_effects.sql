-- What each initiative changed, per KPI and method (docs/impact.md, "Estimating what an initiative
-- changed"; D81-D88). One row per initiative × unit type × KPI × method; a method that cannot be estimated
-- on the data keeps its row with a NULL estimate and a plain `note` saying why.
with

estimates as (
    select * from {{ ref('int_initiative_estimates') }}
    where row_kind = 'effect'
),

final as (
    select
        initiative_id::string as initiative_id,
        initiative_name::string as initiative_name,
        unit_type::string as unit_type,
        kpi::string as kpi,
        method::string as method,
        headline::boolean as headline,
        case when {{ is_finite('estimate::double') }} then estimate::double end as estimate,
        case when {{ is_finite('std_error::double') }} then std_error::double end as std_error,
        case when {{ is_finite('ci_low::double') }} then ci_low::double end as ci_low,
        case when {{ is_finite('ci_high::double') }} then ci_high::double end as ci_high,
        case when {{ is_finite('p_value::double') }} then p_value::double end as p_value,
        inference::string as inference,
        treated_units::integer as treated_units,
        control_units::integer as control_units,
        control_group::string as control_group,
        pre_start::date as pre_start,
        pre_end::date as pre_end,
        post_start::date as post_start,
        post_end::date as post_end,
        n_obs::integer as n_obs,
        n_treated_obs::integer as n_treated_obs,
        n_control_obs::integer as n_control_obs,
        case when {{ is_finite('pretrend_p_value::double') }} then pretrend_p_value::double end as pretrend_p_value,
        pretrend_differs::boolean as pretrend_differs,
        higher_is_better::boolean as higher_is_better,
        note::string as note
    from estimates
)

select * from final
