-- Every editable ROI assumption, one row each, from its one definition (docs/impact.md, "Savings and ROI"):
-- the page's what-if sliders start here and marts.initiative_roi prices with the `value` column.
--   gross margin          var cltv_gross_margin (also customer_value_summary's); low/high = ±25 %, at most 1
--   cost per leaver       seed employee_turnover_cost_assumptions: the `default` row; low/high = cheapest and
--                         dearest job level
--   cost per support min  seed support_cost_assumptions: the `default` row's agent hour / 60; low/high = the
--                         cheapest and dearest channel
--   CLTV horizon, effect duration   seed roi_planning_assumptions (no other home)
with

turnover as (

    select
        job_level,
        recruiting_cost + onboarding_cost + lost_productivity_cost as cost_per_leaver
    from {{ ref('employee_turnover_cost_assumptions') }}

),

support as (

    select channel, agent_cost_per_hour / 60.0 as cost_per_minute
    from {{ ref('support_cost_assumptions') }}

),

margin as (

    select {{ var('cltv_gross_margin') }}::double as value

),

final as (

    select
        'gross_margin' as assumption,
        'Gross margin on customer revenue (1 counts all revenue as profit)' as label,
        value,
        value * 0.75 as low,
        least(1.0, value * 1.25) as high,
        'share of revenue' as unit,
        'dbt var cltv_gross_margin (dbt_project.yml), the margin of the customer lifetime value' as source
    from margin

    union all

    select
        'cost_per_leaver',
        'Cost of replacing one employee who leaves',
        max(cost_per_leaver) filter (where job_level = 'default'),
        min(cost_per_leaver),
        max(cost_per_leaver),
        'per leaver',
        'seed employee_turnover_cost_assumptions: recruiting + onboarding + lost productivity; the default row, '
            || 'ranging over the job levels'
    from turnover

    union all

    select
        'cost_per_support_minute',
        'Cost of one minute of a support agent''s time',
        max(cost_per_minute) filter (where channel = 'default'),
        min(cost_per_minute),
        max(cost_per_minute),
        'per minute',
        'seed support_cost_assumptions: agent cost per hour / 60; the default row, ranging over the channels'
    from support

    union all

    select assumption, label, value, low, high, unit, 'seed roi_planning_assumptions: ' || source
    from {{ ref('roi_planning_assumptions') }}

)

select * from final
