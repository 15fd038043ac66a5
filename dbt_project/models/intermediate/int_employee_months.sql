-- One row per employee and calendar month in which they were employed on at least one day, with the
-- flags the workforce marts count. The HRIS extract holds each worker's latest state only, so team,
-- manager and location are today's: an internal move re-labels history, it never creates a separation
-- (turnover counts workers, not position stints).
with

employees as (

    select * from {{ ref('stg_hris__employees') }}

),

as_of as (

    select as_of_date from {{ ref('int_employee_as_of_date') }}

),

manager_labels as (

    select * from {{ ref('int_employee_manager_labels') }}

),

months as (

    -- The series is unnested in a subquery: Spark allows no expression (the cast) around a generator.
    select series.*, cast(series.month_start as date) as month
    from (
        select
            e.*,
            {{ unnest_list(generate_series(
                "date_trunc('month', e.hire_date)",
                "date_trunc('month', least(coalesce(e.termination_date, a.as_of_date), a.as_of_date))",
                "interval 1 month"
            )) }} as month_start
        from employees as e
        cross join as_of as a
        where e.hire_date <= a.as_of_date
    ) as series

),

flagged as (

    select
        employee_id,
        month,
        last_day(month) as month_end,
        coalesce(department, team, 'Unknown') as department,
        coalesce(team, 'Unknown') as team,
        coalesce(location, 'Unknown') as location,
        -- The manager's display label (int_employee_manager_labels), never the HRIS id.
        coalesce(manager_label, 'Unknown') as manager_id,
        coalesce(job_level, 'Unknown') as job_level,
        weekly_hours,
        -- One band per employee-month (at the month's start, or at hire) so start and end counts of a
        -- row always balance.
        {{ tenure_band('hire_date', 'greatest(month, hire_date)') }} as tenure_band,
        hire_date < month and (termination_date is null or termination_date >= month) as employed_at_start,
        termination_date is null or termination_date > last_day(month) as employed_at_end,
        date_trunc('month', hire_date) = month as hired,
        coalesce(date_trunc('month', termination_date) = month, false) as separated,
        termination_type,
        -- Days on the payroll this month, both ends inclusive (the termination date is the last day worked).
        {{ date_diff('day', 'greatest(month, hire_date)', 'least(last_day(month), coalesce(termination_date, last_day(month)))') }}
            + 1 as days_employed
    from months
    left join manager_labels using (manager_id)

),

final as (

    select
        *,
        separated and termination_type = 'voluntary' as separated_voluntary,
        separated and termination_type = 'involuntary' as separated_involuntary,
        employed_at_start and employed_at_end as retained,
        -- Hours usually worked in the month: weekly hours spread over the days employed.
        weekly_hours * days_employed / 7.0 as usual_hours
    from flagged

)

select * from final
