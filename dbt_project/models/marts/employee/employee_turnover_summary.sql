-- Snapshot attrition as of the data's latest date (employee as-of): workers ever employed, separated and
-- still employed per department × team × location × job level. This is the share HR exports publish
-- ("16.12 % attrition" in IBM's sample), like customer_churn_summary for customers; the monthly rate over
-- average headcount is in employee_headcount_monthly.
with

employees as (

    select * from {{ ref('stg_hris__employees') }}

),

as_of as (

    select as_of_date from {{ ref('int_employee_as_of_date') }}

),

current as (

    select
        coalesce(e.department, e.team, 'Unknown') as department,
        coalesce(e.team, 'Unknown') as team,
        coalesce(e.location, 'Unknown') as location,
        coalesce(e.job_level, 'Unknown') as job_level,
        e.termination_date is not null and e.termination_date <= a.as_of_date as separated,
        e.termination_type,
        a.as_of_date
    from employees as e
    cross join as_of as a
    where e.hire_date <= a.as_of_date

),

-- Small groups rolled up (var workforce_min_headcount): every published cell has that many workers.
published as (

    {{ rollup_small_groups(
        'select * from current',
        partition_by=[],
        levels=[['department'], ['team'], ['location', 'job_level']],
        parents=['organisation', 'department', 'team'],
    ) }}

),

counted as (

    select
        department,
        team,
        location,
        job_level,
        count(*) as employees,
        count(*) filter (where separated) as separations,
        count(*) filter (where separated and termination_type = 'voluntary') as voluntary_separations,
        count(*) filter (where separated and termination_type = 'involuntary') as involuntary_separations,
        count(*) filter (where not separated) as active_employees,
        max(as_of_date) as as_of_date,
        max(rollup_reason) as rollup_reason
    from published
    group by department, team, location, job_level

),

final as (

    select
        *,
        {{ pct('separations', 'employees') }} as attrition_pct
    from counted

)

select * from final
