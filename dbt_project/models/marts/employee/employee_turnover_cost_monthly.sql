-- Turnover cost per month × department × job level: separations × (recruiting + onboarding +
-- lost-productivity cost per hire), the costs from the editable seed employee_turnover_cost_assumptions
-- (its `default` row prices any job level not listed).
with

employee_months as (

    -- Groups are employees (not only leavers), month x department x job level, small ones rolled up (var
    -- workforce_min_headcount), so a cost line never points at a department's one senior leaver.
    select * from (
        {{ rollup_small_groups(
            'select * from ' ~ ref('int_employee_months'),
            partition_by=['month'],
            levels=[['department'], ['job_level']],
            parents=['month', 'department'],
        ) }}
    )
    where separated

),

assumptions as (

    select * from {{ ref('employee_turnover_cost_assumptions') }}

),

counted as (

    select
        month,
        department,
        job_level,
        count(*) as separations,
        count(*) filter (where separated_voluntary) as voluntary_separations,
        count(*) filter (where separated_involuntary) as involuntary_separations,
        max(rollup_reason) as rollup_reason
    from employee_months
    group by month, department, job_level

),

priced as (

    select
        c.*,
        coalesce(a.recruiting_cost, d.recruiting_cost) as recruiting_cost_per_separation,
        coalesce(a.onboarding_cost, d.onboarding_cost) as onboarding_cost_per_separation,
        coalesce(a.lost_productivity_cost, d.lost_productivity_cost) as lost_productivity_cost_per_separation,
        a.job_level is null as priced_by_default
    from counted as c
    left join assumptions as a on c.job_level = a.job_level
    left join assumptions as d on d.job_level = 'default'

),

final as (

    select
        *,
        recruiting_cost_per_separation + onboarding_cost_per_separation + lost_productivity_cost_per_separation
            as cost_per_separation,
        separations * (
            recruiting_cost_per_separation + onboarding_cost_per_separation + lost_productivity_cost_per_separation
        ) as turnover_cost
    from priced

)

select * from final
