-- Absence rate and lost-worktime rate per month × department × team × location × manager × tenure band,
-- BLS definitions adapted (docs/decisions.md D28): every employee counts, not only full-time, and
-- vacation is excluded from both. A spell counts in the month it starts, with all its hours.
with

employee_months as (

    -- Small groups rolled up (var workforce_min_headcount): every published cell has that many employees.
    select * from {{ ref('int_employee_months_published') }}

),

absences as (

    select
        employee_id,
        date_trunc('month', start_date)::date as month,
        count(*) as spells,
        sum(hours) as hours
    from {{ ref('stg_hris__absences') }}
    where reason <> 'vacation'
    group by employee_id, date_trunc('month', start_date)

),

joined as (

    select
        m.*,
        coalesce(a.spells, 0) as absence_spells,
        coalesce(a.hours, 0) as absence_hours
    from employee_months as m
    left join absences as a on m.employee_id = a.employee_id and m.month = a.month

),

counted as (

    select
        month,
        department,
        team,
        location,
        manager_id,
        tenure_band,
        count(*) as employees,
        count(*) filter (where absence_spells > 0) as employees_absent,
        cast(sum(absence_spells) as bigint) as absence_spells,
        sum(absence_hours) as absence_hours,
        sum(usual_hours) as usual_hours,
        -- Why the cell's labels are combined ones (NULL: published as it is); one reason per cell.
        max(rollup_reason) as rollup_reason
    from joined
    group by month, department, team, location, manager_id, tenure_band

),

final as (

    select
        *,
        {{ pct('employees_absent', 'employees') }} as absence_rate_pct,
        {{ pct('absence_hours', 'usual_hours') }} as lost_worktime_pct
    from counted

)

select * from final
