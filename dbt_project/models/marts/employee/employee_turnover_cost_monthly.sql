-- Turnover cost per month × department × job level: separations × (recruiting + onboarding +
-- lost-productivity cost per hire), the costs from the editable seed employee_turnover_cost_assumptions
-- (its `default` row prices any job level not listed).
with

employee_months as (

    -- Groups are employees (not only leavers), month x department x job level, small ones rolled up (var
    -- workforce_min_headcount), so a cost line never points at a department's one senior leaver. Each
    -- leaver is priced at their own job level (priced_job_level) before the roll-up relabels it.
    select * from (
        {{ rollup_small_groups(
            'select *, job_level as priced_job_level from ' ~ ref('int_employee_months'),
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

priced as (

    select
        e.*,
        coalesce(a.recruiting_cost, d.recruiting_cost) as recruiting_cost,
        coalesce(a.onboarding_cost, d.onboarding_cost) as onboarding_cost,
        coalesce(a.lost_productivity_cost, d.lost_productivity_cost) as lost_productivity_cost,
        a.job_level is null as priced_by_default
    from employee_months as e
    left join assumptions as a on e.priced_job_level = a.job_level
    left join assumptions as d on d.job_level = 'default'

),

counted as (

    select
        month,
        department,
        job_level,
        count(*) as separations,
        count(*) filter (where separated_voluntary) as voluntary_separations,
        count(*) filter (where separated_involuntary) as involuntary_separations,
        -- One job level per cell unless small levels were combined: then the mean over its leavers.
        avg(recruiting_cost) as recruiting_cost_per_separation,
        avg(onboarding_cost) as onboarding_cost_per_separation,
        avg(lost_productivity_cost) as lost_productivity_cost_per_separation,
        bool_or(priced_by_default) as priced_by_default,
        max(rollup_reason) as rollup_reason
    from priced
    group by month, department, job_level

),

final as (

    select
        *,
        recruiting_cost_per_separation + onboarding_cost_per_separation + lost_productivity_cost_per_separation
            as cost_per_separation,
        separations * (
            recruiting_cost_per_separation + onboarding_cost_per_separation + lost_productivity_cost_per_separation
        ) as turnover_cost
    from counted

)

select * from final
