-- Workforce flow per month × department × team × location × manager × tenure band: headcount at start,
-- end and average, hires, separations (voluntary / involuntary), turnover and retention, counts beside the
-- ratios. Workers are counted, not position stints: one HRIS record per worker, so an internal move is
-- never a separation.
with

employee_months as (

    select * from {{ ref('int_employee_months') }}

),

counted as (

    select
        month,
        department,
        team,
        location,
        manager_id,
        tenure_band,
        count(*) filter (where employed_at_start) as headcount_start,
        count(*) filter (where employed_at_end) as headcount_end,
        count(*) filter (where hired) as hires,
        count(*) filter (where separated) as separations,
        count(*) filter (where separated_voluntary) as voluntary_separations,
        count(*) filter (where separated_involuntary) as involuntary_separations,
        count(*) filter (where retained) as retained_employees
    from employee_months
    group by month, department, team, location, manager_id, tenure_band

),

final as (

    select
        *,
        -- SHRM: average of the start and end headcounts; additive, so sums over rows stay correct.
        (headcount_start + headcount_end) / 2.0 as avg_headcount,
        {{ pct('separations', '(headcount_start + headcount_end) / 2.0') }} as turnover_pct,
        {{ pct('voluntary_separations', '(headcount_start + headcount_end) / 2.0') }} as voluntary_turnover_pct,
        {{ pct('involuntary_separations', '(headcount_start + headcount_end) / 2.0') }} as involuntary_turnover_pct,
        {{ pct('retained_employees', 'headcount_start') }} as retention_pct
    from counted

)

select * from final
